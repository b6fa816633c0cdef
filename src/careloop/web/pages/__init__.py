"""Staff pages, one module per context; ``careloop.web.install`` assembles their routers.

Every page calls the same services as the API (never the store), and every change goes
through the lifecycle's named transitions; a broken rule comes back as a readable banner
on the same page (DESIGN.md: errors → the web's banner). Forms are plain HTML posts that
answer with a redirect (post/redirect/get); HTMX only adds the live look-ups on the intake
form.
"""
