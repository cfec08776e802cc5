"""Execution algorithms: TWAP, participation of volume and a pegger, each working one
parent order through child orders, restart-safe through a journal."""
