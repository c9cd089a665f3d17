"""A python3-pgq (SkyTools) consumer for tests: records every event it gets.

    PYTHONPATH=$(scripts/pgq35.sh python) python3 pgq_recorder.py CONFIG.ini

Config section [pgq_recorder]: db, queue_name, consumer_name (the usual
pgq.Consumer keys) and record_table, a table with the columns
(consumer text, batch_id bigint, ev_id bigint, ev_type text, ev_data text,
ev_extra1 text).  The rows are written in the batch's own transaction, the
one that finishes the batch, so the table holds exactly what the consumer
has processed: an event in it twice was delivered twice.
"""
import sys

import pgq
import skytools


class Recorder(pgq.Consumer):
    def reload(self):
        super().reload()
        self.record_table = skytools.quote_fqident(self.cf.get("record_table"))

    def process_batch(self, db, batch_id, ev_list):
        curs = db.cursor()
        rows = [(self.consumer_name, batch_id, ev.id, ev.type, ev.data, ev.extra1) for ev in ev_list]
        if rows:
            curs.executemany(
                "insert into " + self.record_table
                + " (consumer, batch_id, ev_id, ev_type, ev_data, ev_extra1)"
                + " values (%s, %s, %s, %s, %s, %s)",
                rows,
            )


if __name__ == "__main__":
    Recorder("pgq_recorder", "db", sys.argv[1:]).start()
