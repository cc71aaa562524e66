import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(default="risk", max_length=16)),
                ("title", models.CharField(max_length=300)),
                ("description", models.TextField(blank=True)),
                ("process", models.CharField(help_text="Key of the process the entry belongs to.", max_length=64)),
                ("likelihood", models.PositiveSmallIntegerField()),
                ("impact", models.PositiveSmallIntegerField()),
                ("treatment", models.TextField(blank=True)),
                ("status", models.CharField(default="open", max_length=16)),
                ("review_date", models.DateField(blank=True, help_text="When the entry is reviewed next.", null=True)),
                ("last_reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("event_seq", models.PositiveBigIntegerField(blank=True, help_text="The entry's last event.",
                                                             null=True)),
                ("owner", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="risk_entries", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["status", "-id"]},
        ),
    ]
