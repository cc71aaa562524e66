"""Drop three indexes another index covers: every event INSERT and every record INSERT writes fewer b-trees.

- ``records_event.record_id``: covered by (record_id, seq);
- ``records_record.process_id``: covered by (process_id, stage);
- ``records_record.owner_id`` twice: the Meta index repeated the foreign key's own.

The foreign-key indexes are dropped with plain ``DROP INDEX`` (the same names on SQLite and PostgreSQL),
so SQLite does not copy the event table to change a field that only lost its index.
"""

import django.db.models.deletion
from django.db import migrations, models

FOREIGN_KEY_INDEXES = [
    ("records_event_record_id_c1e99be5", "records_event", "record_id"),
    ("records_record_process_id_ef5e9e34", "records_record", "process_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0004_links_notifications_documents"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="record",
            name="records_rec_owner_i_a57319_idx",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
                for name, table, column in FOREIGN_KEY_INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="record",
                    field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="events",
                                            to="records.record"),
                ),
                migrations.AlterField(
                    model_name="record",
                    name="process",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="records", to="records.process"),
                ),
            ],
        ),
    ]
