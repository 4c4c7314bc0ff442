// The offline-first replication peer that push_bench.py compares pushes with: a CouchDB-protocol
// server (express-pouchdb, memory adapter) on 127.0.0.1 and a local PouchDB (memory) that writes
// the same records, then replicates them to the server in batches of the same size as ours.
// Run by push_bench.py with NODE_PATH pointing at a folder where these were installed:
//   npm install pouchdb@9 pouchdb-adapter-memory express-pouchdb express@4 pouchdb-node
// Prints one JSON line per round: {"local": seconds, "push": seconds, "docs": count}.
// Usage: node pouchdb_peer.js <records.json> <batch size> <rounds>

const fs = require("fs");
const express = require("express");
const PouchDB = require("pouchdb-node").plugin(require("pouchdb-adapter-memory"));

const [recordsPath, batchSize, rounds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const records = JSON.parse(fs.readFileSync(recordsPath, "utf8"));
const ServerDB = PouchDB.defaults({ adapter: "memory" });
const app = express();
app.use("/", require("express-pouchdb")(ServerDB, { mode: "minimumForPouchDB", logPath: "/dev/null" }));
setTimeout(() => { console.error("peer: out of time"); process.exit(2); }, 600000).unref();

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

const server = app.listen(0, "127.0.0.1", async () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  try {
    for (let round = 0; round < rounds; round++) {
      const local = new PouchDB(`device-${round}`, { adapter: "memory" });
      let start = process.hrtime.bigint();
      for (let i = 0; i < records.length; i += batchSize) {
        await local.bulkDocs(records.slice(i, i + batchSize).map((r) => ({ _id: `${round}-${r.id}`, ...r.data })));
      }
      const localSeconds = seconds(start);
      const remote = new PouchDB(`${url}/space-${round}`);
      start = process.hrtime.bigint();
      const result = await local.replicate.to(remote, { batch_size: batchSize });
      const pushSeconds = seconds(start);
      const info = await remote.info();
      console.log(JSON.stringify({ local: localSeconds, push: pushSeconds, docs: info.doc_count, ok: result.ok }));
      await local.destroy();
    }
  } finally {
    server.close();
    process.exit(0);
  }
});
