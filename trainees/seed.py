"""Demo data placeholder."""


def seed_trainees() -> list[str]:
    return []
