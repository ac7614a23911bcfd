"""Infrastructure shared by every feature: extensions, database base, config, forms, i18n, errors.

Nothing in ``core`` imports a feature package.
"""
