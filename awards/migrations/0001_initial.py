# Issue 12: the awards app takes over Award and Certificate from reviews, with their data.
#
# State only: the tables reviews_award and reviews_certificate already exist (created by
# reviews 0001, forgotten by reviews 0002), so nothing is created in the database. The index
# and constraint keep their reviews_ names, which are the names in the database. 0002 renames
# the tables (a real rename: rows, ids and foreign keys stay), 0003 renames the content types.

import awards.models
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0002_seed_programmes'),
        ('portfolios', '0001_initial'),
        ('reviews', '0002_move_awards_to_awards_app'),
        ('standards', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Award',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('start_date', models.DateField()),
                        ('end_date', models.DateField()),
                        ('interim_due', models.DateField()),
                        ('status', models.CharField(choices=[('valid', 'Valid'), ('suspended', 'Suspended'), ('revoked', 'Revoked')], default='valid', max_length=16)),
                        ('status_reason', models.TextField(blank=True)),
                        ('status_changed_at', models.DateTimeField(blank=True, null=True)),
                        ('decision', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='award', to='reviews.decision')),
                        ('framework', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='standards.framework')),
                        ('portfolio', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='portfolios.portfolio')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='network.unit')),
                    ],
                    options={
                        'db_table': 'reviews_award',
                        'ordering': ['-start_date'],
                    },
                ),
                migrations.CreateModel(
                    name='Certificate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('number', models.CharField(max_length=32, unique=True)),
                        ('verify_code', models.CharField(max_length=64, unique=True)),
                        ('status', models.CharField(choices=[('pending', 'Being prepared'), ('ready', 'Ready'), ('failed', 'Failed')], default='pending', max_length=16)),
                        ('pdf', models.FileField(blank=True, max_length=300, upload_to=awards.models.certificate_upload_to)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('rendered_at', models.DateTimeField(blank=True, null=True)),
                        ('award', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='certificate', to='awards.award')),
                    ],
                    options={
                        'db_table': 'reviews_certificate',
                    },
                ),
                migrations.AddIndex(
                    model_name='award',
                    index=models.Index(fields=['status', 'end_date'], name='reviews_award_current_idx'),
                ),
                migrations.AddConstraint(
                    model_name='certificate',
                    constraint=models.UniqueConstraint(fields=('award',), name='reviews_one_certificate_per_award'),
                ),
            ],
            database_operations=[],
        ),
    ]
