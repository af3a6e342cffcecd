"""Persistence: SQLAlchemy 2 async models, the engine factory, repositories, migrations.

All SQL lives in this package; features call repositories, never the session directly
for anything beyond ``add``.
"""
