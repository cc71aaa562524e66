"""``salesflow currency rate set|import|list``: every change an event, bad rows named, nothing written."""

from __future__ import annotations

from salesflow.currency.models import ExchangeRate
from salesflow.records.eventlog import verify
from salesflow.records.models import Event


def test_set_then_list_and_replace(cli, people):
    result = cli("currency", "rate", "set", "usd", "EUR", "0.9", "--date", "2027-01-01", "--as", "head")
    assert result.code == 0, result
    assert "1 USD = 0.9 EUR" in result.out
    assert cli("currency", "rate", "set", "USD", "EUR", "0.91", "--date", "2027-01-01").code == 0
    listed = cli("currency", "rate", "list", "--json").json()
    assert listed["corporate_currency"] == "EUR"
    assert [(row["date"], row["from"], row["to"], row["rate"]) for row in listed["rates"]] == [
        ("2027-01-01", "USD", "EUR", "0.91")]
    events = list(Event.objects.filter(kind="exchange_rate_set").order_by("seq"))
    assert [event.payload.get("previous") for event in events] == [None, "0.9"]
    assert events[0].actor_name and events[0].record_id is None
    assert verify().ok


def test_set_refuses_bad_values_and_people_without_the_right(cli, people):
    for args, message in [(("XX", "EUR", "1"), "from: a three-letter currency code"),
                          (("USD", "USD", "1"), "rate converts between two currencies"),
                          (("USD", "EUR", "-2"), "rate: a number greater than 0"),
                          (("USD", "EUR", "abc"), "rate: a number is expected, got 'abc'")]:
        result = cli("currency", "rate", "set", *args)
        assert result.code == 1 and message in result.err, result
    result = cli("currency", "rate", "set", "USD", "EUR", "0.9", "--date", "31.01.2027")
    assert result.code == 1 and "date: a date like 2027-01-31" in result.err
    refused = cli("currency", "rate", "set", "USD", "EUR", "0.9", "--as", "kam")
    assert refused.code == 4 and "exchange rates are managed by head_of_sales" in refused.err
    assert not ExchangeRate.objects.exists() and not Event.objects.filter(kind="exchange_rate_set").exists()


def test_import_names_every_bad_row_and_writes_nothing(cli, people, tmp_path):
    bad = tmp_path / "rates.csv"
    bad.write_text("date,from,to,rate\n2027-01-01,USD,EUR,0.9\n2027-13-01,USD,EUR,0.9\n2027-02-01,USD,EUR,zero\n"
                   "2027-02-01,CHF,EURO,1.1\n2027-01-01,USD,EUR,0.8\n", encoding="utf-8")
    result = cli("currency", "rate", "import", str(bad))
    assert result.code == 1, result
    assert "4 bad row(s), nothing imported" in result.err
    assert f"{bad}:3: column date: a date like 2027-01-31 is expected, got '2027-13-01'" in result.err
    assert f"{bad}:4: column rate: a number is expected, got 'zero'" in result.err
    assert f"{bad}:5: column to: a three-letter currency code is expected, got 'EURO'" in result.err
    assert f"{bad}:6: USD → EUR on 2027-01-01 is already given on line 2" in result.err
    assert not ExchangeRate.objects.exists() and not Event.objects.filter(kind="exchange_rate_set").exists()
    unknown = tmp_path / "other.csv"
    unknown.write_text("day,from,to,rate\n", encoding="utf-8")
    assert "unknown column 'day'" in cli("currency", "rate", "import", str(unknown)).err
    assert "no such file" in cli("currency", "rate", "import", str(tmp_path / "none.csv")).err


def test_import_of_a_year_of_monthly_rates(cli, people, tmp_path):
    good = tmp_path / "rates.csv"
    good.write_text("date,from,to,rate\n" + "".join(f"2027-{month:02d}-01,USD,EUR,0.{80 + month}\n"
                                                    for month in range(1, 13)), encoding="utf-8")
    result = cli("currency", "rate", "import", str(good), "--json")
    assert result.code == 0, result
    assert len(result.json()) == 12 and ExchangeRate.objects.count() == 12
    assert Event.objects.filter(kind="exchange_rate_set").count() == 12
    assert ExchangeRate.objects.get(date="2027-05-01").source == "import rates.csv"


def test_import_of_a_salesforce_dated_conversion_rate_export(cli, people, tmp_path):
    export = tmp_path / "DatedConversionRate.csv"
    export.write_text('"Id","IsoCode","ConversionRate","NextStartDate","StartDate"\n'
                      '"04w1","USD","1.1","2027-02-01","2027-01-01"\n'
                      '"04w2","USD","1.25","9999-12-31","2027-02-01"\n'
                      '"04w3","EUR","1","9999-12-31","0001-01-01"\n', encoding="utf-8")
    result = cli("currency", "rate", "import", str(export), "--json")
    assert result.code == 0, result
    rows = [(row["date"], row["from"], row["to"], row["rate"]) for row in result.json()]
    assert rows == [("2027-01-01", "EUR", "USD", "1.1"), ("2027-02-01", "EUR", "USD", "1.25")]
    bad = tmp_path / "bad.csv"
    bad.write_text("IsoCode,ConversionRate,StartDate\nUSD,,2027-01-01\n", encoding="utf-8")
    result = cli("currency", "rate", "import", str(bad))
    assert result.code == 1 and f"{bad}:2: column ConversionRate: a number is expected" in result.err


def test_record_show_names_the_amount_in_the_corporate_currency(cli, people):
    from salesflow.records import services

    record = services.do_create_record("opportunity-management", people["kam"], {
        "title": "US deal", "amount": "100000", "currency": "USD"})
    assert "no exchange rate USD → EUR: not in the totals" in cli("record", "show", str(record.pk)).out
    cli("currency", "rate", "set", "USD", "EUR", "0.9", "--date", "2020-01-01")
    assert "100000.00 USD (= 90000.00 EUR at 0.9 of" in cli("record", "show", str(record.pk)).out
