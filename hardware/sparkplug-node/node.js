'use strict';
// An independent Sparkplug B edge node for the Telemetry MQTT tests: Eclipse Tahu's sparkplug-payload encodes,
// MQTT.js publishes. Usage: node node.js HOST PORT SCENARIO GROUP NODE
//   lifecycle    NBIRTH, DBIRTH, NDATA/DDATA with their own timestamps and a null, DDEATH, NDEATH
//   rebirth      data with an unknown alias, then a sequence gap; answers each NCMD Rebirth with a new NBIRTH
//   stale-death  a second session reborn with bdSeq 1, then a late NDEATH of session 0, data, the real NDEATH
// Prints one JSON line per step on stdout; exits 0 when the scenario is done.
const mqtt = require('mqtt');
const sparkplug = require('sparkplug-payload').get('spBv1.0');

const [host, port, scenario, group = 'G1', edge = 'E1'] = process.argv.slice(2);
const url = `mqtt://${host}:${port}`;
const T0 = 1700000000000;
const topic = (type, device) => `spBv1.0/${group}/${type}/${edge}` + (device ? `/${device}` : '');
const encode = (payload) => sparkplug.encodePayload(payload);
const log = (step, extra) => console.log(JSON.stringify({ step, ...extra }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function death(bdSeq) {
  return encode({ timestamp: T0, metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq }] });
}

function nodeBirth(bdSeq, seq) {
  return encode({
    timestamp: T0 + 1, seq,
    metrics: [
      { name: 'bdSeq', type: 'UInt64', value: bdSeq },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
      { name: 'Temperature', alias: 1, type: 'Double', value: 20.25, timestamp: T0 + 1 },
      { name: 'Running', alias: 2, type: 'Boolean', value: true, timestamp: T0 + 1 },
      { name: 'Count', alias: 3, type: 'Int32', value: 7, timestamp: T0 + 1 },
    ],
  });
}

async function connect(clientId, bdSeq) {
  const client = await mqtt.connectAsync(url, {
    clientId, clean: true, reconnectPeriod: 0, protocolVersion: 4,
    will: { topic: topic('NDEATH'), payload: death(bdSeq), qos: 1, retain: false },
  });
  return client;
}

async function publish(client, t, payload, step, extra) {
  await client.publishAsync(t, payload, { qos: 1 });
  log(step, extra);
}

async function lifecycle() {
  const c = await connect(`${edge}-lc`, 0);
  await publish(c, topic('NBIRTH'), nodeBirth(0, 0), 'NBIRTH');
  await publish(c, topic('DBIRTH', 'press1'), encode({
    timestamp: T0 + 2, seq: 1,
    metrics: [
      { name: 'Pressure', alias: 10, type: 'Float', value: 1.5, timestamp: T0 + 2 },
      { name: 'Mode', alias: 11, type: 'String', value: 'auto', timestamp: T0 + 2 },
      { name: 'Axis/Position', alias: 12, type: 'Int64', value: -123456789012, timestamp: T0 + 2 },
    ],
  }), 'DBIRTH');
  await publish(c, topic('NDATA'), encode({
    timestamp: T0 + 10, seq: 2,
    metrics: [
      { alias: 1, type: 'Double', value: 21.5, timestamp: T0 + 3 },
      { alias: 3, type: 'Int32', value: -5, timestamp: T0 + 4 },
    ],
  }), 'NDATA');
  await publish(c, topic('DDATA', 'press1'), encode({
    timestamp: T0 + 10, seq: 3,
    metrics: [
      { alias: 10, type: 'Float', value: 2.5, timestamp: T0 + 5 },
      { alias: 11, type: 'String', value: null, timestamp: T0 + 6 },
    ],
  }), 'DDATA');
  await publish(c, topic('DDEATH', 'press1'), encode({ timestamp: T0 + 20, seq: 4 }), 'DDEATH');
  await publish(c, topic('NDEATH'), death(0), 'NDEATH');
  await c.endAsync();
}

async function rebirth() {
  const c = await connect(`${edge}-rb`, 0);
  let births = 0;
  let resolveRebirth;
  let rebirthAsked = new Promise((r) => { resolveRebirth = r; });
  c.on('message', async (t, message) => {
    const payload = sparkplug.decodePayload(message);
    const asked = (payload.metrics || []).some((m) => m.name === 'Node Control/Rebirth' && m.value === true);
    if (asked) {
      log('NCMD-rebirth', { topic: t });
      resolveRebirth();
    }
  });
  await c.subscribeAsync(topic('NCMD'), { qos: 1 });
  await publish(c, topic('NBIRTH'), nodeBirth(0, 0), 'NBIRTH', { births: ++births });
  await publish(c, topic('NDATA'), encode({ timestamp: T0 + 30, seq: 1, metrics: [{ alias: 99, type: 'Double', value: 1 }] }), 'NDATA-unknown-alias');
  await Promise.race([rebirthAsked, sleep(15000).then(() => { throw new Error('no rebirth request after an unknown alias'); })]);
  rebirthAsked = new Promise((r) => { resolveRebirth = r; });
  await publish(c, topic('NBIRTH'), nodeBirth(0, 0), 'NBIRTH', { births: ++births });
  await publish(c, topic('NDATA'), encode({ timestamp: T0 + 40, seq: 1, metrics: [{ alias: 1, type: 'Double', value: 30.5, timestamp: T0 + 40 }] }), 'NDATA');
  await publish(c, topic('NDATA'), encode({ timestamp: T0 + 50, seq: 5, metrics: [{ alias: 1, type: 'Double', value: 31.5, timestamp: T0 + 50 }] }), 'NDATA-gap');
  await Promise.race([rebirthAsked, sleep(15000).then(() => { throw new Error('no rebirth request after a sequence gap'); })]);
  await publish(c, topic('NBIRTH'), nodeBirth(0, 0), 'NBIRTH', { births: ++births });
  await c.endAsync();
}

async function staleDeath() {
  const a = await connect(`${edge}-a`, 0);
  await publish(a, topic('NBIRTH'), nodeBirth(0, 0), 'NBIRTH', { bdSeq: 0 });
  const b = await connect(`${edge}-b`, 1);
  await publish(b, topic('NBIRTH'), nodeBirth(1, 0), 'NBIRTH', { bdSeq: 1 });
  await publish(b, topic('NDATA'), encode({ timestamp: T0 + 60, seq: 1, metrics: [{ alias: 1, type: 'Double', value: 40.5, timestamp: T0 + 60 }] }), 'NDATA');
  // Session 0's death arrives late (e.g. the broker noticed the old TCP connection only now).
  await publish(a, topic('NDEATH'), death(0), 'NDEATH-stale', { bdSeq: 0 });
  await a.endAsync();
  await publish(b, topic('NDATA'), encode({ timestamp: T0 + 70, seq: 2, metrics: [{ alias: 1, type: 'Double', value: 41.5, timestamp: T0 + 70 }] }), 'NDATA');
  await publish(b, topic('NDEATH'), death(1), 'NDEATH', { bdSeq: 1 });
  await b.endAsync();
}

const scenarios = { lifecycle, rebirth, 'stale-death': staleDeath };
if (!scenarios[scenario]) {
  console.error(`unknown scenario '${scenario}'; use ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}

scenarios[scenario]().then(() => { log('done'); process.exit(0); }, (err) => { console.error(err && err.stack || err); process.exit(1); });
