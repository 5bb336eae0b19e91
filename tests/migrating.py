"""Moving the test database's schema to given migrations, for the upgrade tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` (forwards or backwards); the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaf_nodes():
    """Every app's newest migration: where each test must leave the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def with_app_at(node, latest):
    """Every other app at its newest migration (`latest`), node's app at `node`."""
    return [n for n in latest if n[0] != node[0]] + [node]


class Upgrade:
    """An upgrade test's moves between migrations of one app, every other app at its
    newest; the database is left at every app's newest migration afterwards, whatever
    happened (`with Upgrade() as upgrade: apps = upgrade.to(BEFORE) ...`)."""

    def __enter__(self):
        self.latest = leaf_nodes()
        return self

    def to(self, node):
        """The models as they are at `node`."""
        return migrate(with_app_at(node, self.latest))

    def __exit__(self, *exc):
        migrate(self.latest)
