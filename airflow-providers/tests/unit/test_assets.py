"""Lakehouse tables as asset URIs, and the lineage lines of the platform's Spark image."""

import unittest
from urllib.parse import urlsplit

from dataplatform_airflow.assets import lineage_record, sanitize_uri, table_uri, written_tables


class TestAssets(unittest.TestCase):
    def test_a_table_is_a_lakehouse_uri(self):
        self.assertEqual(table_uri("lakehouse.telco.Calls"), "lakehouse://lakehouse/telco/calls")
        for bad in ("telco.calls", "a.b.c.d", "lakehouse.te lco.calls", ""):
            with self.assertRaisesRegex(ValueError, "is not a lakehouse table: expected catalog.schema.table"):
                table_uri(bad)

    def test_the_scheme_handler_accepts_only_catalog_schema_table(self):
        self.assertEqual(sanitize_uri(urlsplit("lakehouse://Lakehouse/Telco/calls")).geturl(),
                         "lakehouse://lakehouse/telco/calls")
        with self.assertRaisesRegex(ValueError, "a lakehouse URI is lakehouse://catalog/schema/table"):
            sanitize_uri(urlsplit("lakehouse://lakehouse/telco"))

    def test_a_succeeded_statement_yields_the_tables_it_wrote(self):
        line = ('[lineage] {"type":"query","status":"SUCCEEDED","operation":"AppendData",'
                '"inputs":["lakehouse.telco.raw"],"outputs":["lakehouse.telco.calls"]}')
        record = lineage_record(line)
        self.assertEqual(written_tables(record), ["lakehouse.telco.calls"])

    def test_failed_statements_other_lines_and_odd_names_yield_nothing(self):
        failed = lineage_record('[lineage] {"status":"FAILED","outputs":["lakehouse.telco.calls"]}')
        self.assertEqual(written_tables(failed), [])
        self.assertIsNone(lineage_record("[spark] job 3 succeeded in 1.2 s"))
        self.assertIsNone(lineage_record("[lineage] {not json"))
        self.assertIsNone(lineage_record('[lineage] ["a list"]'))
        odd = lineage_record('[lineage] {"status":"SUCCEEDED","outputs":["path:/tmp/x", 3, "lake.a.b"]}')
        self.assertEqual(written_tables(odd), ["lake.a.b"])


if __name__ == "__main__":
    unittest.main()
