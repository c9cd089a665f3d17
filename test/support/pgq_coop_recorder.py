"""A python3-pgq (SkyTools) cooperative consumer for tests: one subconsumer
(pgq.CoopConsumer, which calls pgq_coop.register_subconsumer, next_batch
and finish_batch) that records every event it gets.

    PYTHONPATH=$(scripts/pgq35.sh python) python3 pgq_coop_recorder.py CONFIG.ini

Config section [pgq_coop_recorder]: db, queue_name, consumer_name,
subconsumer_name, subconsumer_timeout (pgq.CoopConsumer's keys) and
record_table, a table with the columns (subconsumer text, batch_id bigint,
ev_id bigint, ev_data text).  The rows are written in the transaction that
finishes the batch: an event in the table twice was delivered twice.
An event whose data is 'retry-me' and that has not been retried yet is
retried (after 0 seconds) instead.
"""
import sys

import pgq
import skytools


class CoopRecorder(pgq.CoopConsumer):
    def reload(self):
        super().reload()
        self.record_table = skytools.quote_fqident(self.cf.get("record_table"))

    def process_batch(self, db, batch_id, ev_list):
        curs = db.cursor()
        rows = []
        for ev in ev_list:
            if ev.data == "retry-me" and not ev.retry:
                ev.tag_retry(0)
                continue
            rows.append((self.subconsumer_name, batch_id, ev.id, ev.data))
        if rows:
            curs.executemany(
                "insert into " + self.record_table
                + " (subconsumer, batch_id, ev_id, ev_data) values (%s, %s, %s, %s)",
                rows,
            )


if __name__ == "__main__":
    CoopRecorder("pgq_coop_recorder", "db", sys.argv[1:]).start()
