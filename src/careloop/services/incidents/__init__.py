"""Incidents (突发服务事件): open, update, resolve, link complaints, reply in bulk, notify
the customers, report. Rules in ``domain.incidents``; tables in ``store.models.incidents``."""
