"""Post-service surveys (满意度自动调查): the use cases the API, the pages, the CLI and the
jobs call. Every function takes a unit of work (or the session factory, for the jobs) and
``now``, and returns read models (``read_models``), never ORM rows.

- ``templates``: ``list_templates``, ``save_template`` (a new version each time);
- ``rules``: ``get_sending_rules``, ``save_sending_rule`` (per region or global);
- ``sending``: ``plan_survey`` (the closed-complaint handler's work), ``send_due_surveys``
  (the job), ``SurveyPlanner`` (the queued handler registered in bootstrap.py);
- ``answers``: ``survey_form``, ``answer_survey``, ``opt_out``, ``opt_out_by_token``,
  ``record_sms_reply``;
- ``results``: ``survey_results`` per unit or agent, ``complaint_surveys``.
"""
