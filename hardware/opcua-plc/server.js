// Simulated PLC on node-opcua for the Telemetry OPC UA client tests.
//
//   node server.js --port 4840 [--items 1000] [--load-ms 100] [--counter-ms 100] [--ns-order reversed]
//                  [--secure-only] [--pki DIR] [--max-nodes-per-read N] [--max-monitored-items-per-call N]
//                  [--security-policies None,Basic256Sha256,...] [--security-modes None,Sign,SignAndEncrypt]
//                  [--certificate FILE.pem --private-key FILE.pem] [--clock-grid]
// --security-policies/--security-modes list the endpoints (names as in node-opcua's SecurityPolicy/MessageSecurityMode);
// --certificate/--private-key replace the generated server certificate (tests: untrusted, expired, wrong URI).
// --clock-grid (load harness): Load items step on the wall-clock grid instead of from 0: value = tick =
// floor((now - 2026-01-01) / load-ms), source timestamp = the tick's grid time, every tick set once (a late timer catches
// up), and MinSupportedSampleRate 0 so that sampling interval 0 delivers every change (node-opcua otherwise folds the
// changes inside that window into one), so a restarted PLC continues the same sequence and every stored sample names its (item, tick) identity.
//
// Binds 127.0.0.1, names 127.0.0.1 in its certificate (alternateHostname), prints "READY <endpointUrl>" once it
// listens. Address space (all under Objects/PLC, namespace urn:telemetry:plc unless noted):
//   Scalars/<BuiltInType>  one variable per scalar built-in type, fixed known values
//   Arrays/<BuiltInType>   arrays of the same types; Arrays/Matrix a 2x3 Int32 matrix
//   Counter                UInt32, +1 every --counter-ms (sampling 0 subscribers see every step)
//   Structure              a MachineState structure (namespace urn:telemetry:plc:types, with DataTypeDefinition)
//   Load/Item00000…        --items UInt32 variables, all set to the same tick every --load-ms
//   Machines/Mill1, Press1, Oven1 (namespace urn:telemetry:machines) machine tags
// --ns-order reversed registers the namespaces in another order (indexes change across a restart).
"use strict";
const path = require("path");
const os = require("os");
const fs = require("fs");
const opcua = require("node-opcua");

function parseArgs(argv) {
  const args = { port: 4840, items: 0, loadMs: 100, counterMs: 100, nsOrder: "normal", secureOnly: false, pki: null,
    maxNodesPerRead: 0, maxMonitoredItemsPerCall: 0, securityPolicies: null, securityModes: null, certificate: null, privateKey: null, clockGrid: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case "--port": args.port = parseInt(next(), 10); break;
      case "--items": args.items = parseInt(next(), 10); break;
      case "--load-ms": args.loadMs = parseInt(next(), 10); break;
      case "--counter-ms": args.counterMs = parseInt(next(), 10); break;
      case "--ns-order": args.nsOrder = next(); break;
      case "--secure-only": args.secureOnly = true; break;
      case "--pki": args.pki = next(); break;
      case "--max-nodes-per-read": args.maxNodesPerRead = parseInt(next(), 10); break;
      case "--max-monitored-items-per-call": args.maxMonitoredItemsPerCall = parseInt(next(), 10); break;
      case "--security-policies": args.securityPolicies = next().split(","); break;
      case "--security-modes": args.securityModes = next().split(","); break;
      case "--certificate": args.certificate = next(); break;
      case "--private-key": args.privateKey = next(); break;
      case "--clock-grid": args.clockGrid = true; break;
      default: throw new Error("unknown argument " + a);
    }
  }
  return args;
}

const DataType = opcua.DataType;
const V = (dataType, value, arrayType) => new opcua.Variant({ dataType, value, arrayType: arrayType || opcua.VariantArrayType.Scalar });

// Fixed, exactly known values: the client test reads them back and compares.
const scalars = [
  ["Boolean", DataType.Boolean, true],
  ["SByte", DataType.SByte, -100],
  ["Byte", DataType.Byte, 200],
  ["Int16", DataType.Int16, -30000],
  ["UInt16", DataType.UInt16, 60000],
  ["Int32", DataType.Int32, -2000000000],
  ["UInt32", DataType.UInt32, 4000000000],
  ["Int64", DataType.Int64, [0xFFFFFFFF, 0xFFFFFFFE]],           // -2 as [high, low]
  ["UInt64", DataType.UInt64, [0x00000001, 0x00000002]],         // 4294967298
  ["Float", DataType.Float, 1.5],
  ["Double", DataType.Double, 3.141592653589793],
  ["String", DataType.String, "Grüße 水"],
  ["DateTime", DataType.DateTime, new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123))],
  ["Guid", DataType.Guid, "72962B91-FA75-4AE6-8D28-B404DC7DAF63"],
  ["ByteString", DataType.ByteString, Buffer.from([1, 2, 3, 255])],
  ["XmlElement", DataType.XmlElement, "<a>b</a>"],
  ["NodeId", DataType.NodeId, opcua.resolveNodeId("ns=1;s=Some.Node")],
  ["ExpandedNodeId", DataType.ExpandedNodeId, opcua.makeExpandedNodeId(2253, 0)],
  ["StatusCode", DataType.StatusCode, opcua.StatusCodes.BadTimeout],
  ["QualifiedName", DataType.QualifiedName, new opcua.QualifiedName({ namespaceIndex: 1, name: "Qn" })],
  ["LocalizedText", DataType.LocalizedText, new opcua.LocalizedText({ locale: "de", text: "Ofen" })],
];

const arrays = [
  ["Boolean", DataType.Boolean, [true, false, true]],
  ["SByte", DataType.SByte, new Int8Array([-1, 0, 1])],
  ["Byte", DataType.Byte, new Uint8Array([0, 128, 255])],
  ["Int16", DataType.Int16, new Int16Array([-1, 2, -3])],
  ["UInt16", DataType.UInt16, new Uint16Array([1, 2, 65535])],
  ["Int32", DataType.Int32, new Int32Array([-1, 0, 2147483647])],
  ["UInt32", DataType.UInt32, new Uint32Array([1, 2, 4294967295])],
  ["Int64", DataType.Int64, [[0, 1], [0xFFFFFFFF, 0xFFFFFFFF]]],
  ["UInt64", DataType.UInt64, [[0, 1], [1, 0]]],
  ["Float", DataType.Float, new Float32Array([0.5, -0.25, 8])],
  ["Double", DataType.Double, new Float64Array([1.25, -2.5, 1e300])],
  ["String", DataType.String, ["a", "bü", ""]],
  ["DateTime", DataType.DateTime, [new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2030, 11, 31, 23, 59, 59))]],
  ["Guid", DataType.Guid, ["72962B91-FA75-4AE6-8D28-B404DC7DAF63", "00000000-0000-0000-0000-000000000001"]],
  ["ByteString", DataType.ByteString, [Buffer.from([1]), Buffer.from([2, 3])]],
  ["StatusCode", DataType.StatusCode, [opcua.StatusCodes.Good, opcua.StatusCodes.BadTimeout]],
  ["QualifiedName", DataType.QualifiedName, [new opcua.QualifiedName({ namespaceIndex: 0, name: "A" })]],
  ["LocalizedText", DataType.LocalizedText, [new opcua.LocalizedText({ locale: "en", text: "Mill" })]],
];

async function main() {
  const args = parseArgs(process.argv);
  const pki = args.pki || fs.mkdtempSync(path.join(os.tmpdir(), "opcua-plc-pki-"));
  const serverCertificateManager = new opcua.OPCUACertificateManager({ rootFolder: path.join(pki, "server"), automaticallyAcceptUnknownCertificate: true });
  await serverCertificateManager.initialize();
  const userCertificateManager = new opcua.OPCUACertificateManager({ rootFolder: path.join(pki, "user"), automaticallyAcceptUnknownCertificate: true });
  await userCertificateManager.initialize();

  const operationLimits = {};
  if (args.maxNodesPerRead > 0) operationLimits.maxNodesPerRead = args.maxNodesPerRead;
  if (args.maxMonitoredItemsPerCall > 0) operationLimits.maxMonitoredItemsPerCall = args.maxMonitoredItemsPerCall;

  const server = new opcua.OPCUAServer({
    port: args.port,
    host: "127.0.0.1",
    hostname: "127.0.0.1",
    alternateHostname: ["127.0.0.1"],
    nodeset_filename: [opcua.nodesets.standard, path.join(__dirname, "types.xml")],
    serverCertificateManager,
    userCertificateManager,
    securityModes: args.securityModes ? args.securityModes.map((m) => opcua.MessageSecurityMode[m])
      : args.secureOnly ? [opcua.MessageSecurityMode.Sign, opcua.MessageSecurityMode.SignAndEncrypt] : [opcua.MessageSecurityMode.None],
    securityPolicies: args.securityPolicies ? args.securityPolicies.map((p) => opcua.SecurityPolicy[p])
      : args.secureOnly ? [opcua.SecurityPolicy.Basic256Sha256] : [opcua.SecurityPolicy.None],
    ...(args.certificate ? { certificateFile: args.certificate, privateKeyFile: args.privateKey } : {}),
    allowAnonymous: true,
    allowAnonymousSubscriptionTransferOnUnsecuredChannel: true,
    userManager: { isValidUser: (user, password) => user === "operator" && password === "secret" },
    serverCapabilities: { maxSessions: 100, operationLimits, ...(args.clockGrid ? { minSupportedSampleRate: 0 } : {}) },
    maxConnectionsPerEndpoint: 100,
    buildInfo: { productName: "Telemetry simulated PLC", manufacturerName: "Telemetry", softwareVersion: "0.1.0" },
    serverInfo: { applicationUri: "urn:telemetry:opcua-plc", productUri: "urn:telemetry:opcua-plc" },
  });
  await server.initialize();

  const addressSpace = server.engine.addressSpace;
  const uris = args.nsOrder === "reversed"
    ? ["urn:telemetry:padding", "urn:telemetry:machines", "urn:telemetry:plc"]
    : ["urn:telemetry:plc", "urn:telemetry:machines"];
  for (const uri of uris) addressSpace.registerNamespace(uri);
  const ns = addressSpace.getNamespace("urn:telemetry:plc");
  const machinesNs = addressSpace.getNamespace("urn:telemetry:machines");
  const typesNs = addressSpace.getNamespace("urn:telemetry:plc:types");

  const plc = ns.addFolder(addressSpace.rootFolder.objects, { browseName: "PLC", nodeId: "s=PLC" });
  const scalarsFolder = ns.addFolder(plc, { browseName: "Scalars", nodeId: "s=Scalars" });
  for (const [name, dataType, value] of scalars) {
    ns.addVariable({ componentOf: scalarsFolder, browseName: name, nodeId: "s=Scalars." + name, dataType: DataType[dataType],
      value: V(dataType, value) });
  }
  const arraysFolder = ns.addFolder(plc, { browseName: "Arrays", nodeId: "s=Arrays" });
  for (const [name, dataType, value] of arrays) {
    ns.addVariable({ componentOf: arraysFolder, browseName: name, nodeId: "s=Arrays." + name, dataType: DataType[dataType],
      valueRank: 1, arrayDimensions: [0], value: V(dataType, value, opcua.VariantArrayType.Array) });
  }
  ns.addVariable({ componentOf: arraysFolder, browseName: "Matrix", nodeId: "s=Arrays.Matrix", dataType: "Int32", valueRank: 2,
    arrayDimensions: [2, 3],
    value: new opcua.Variant({ dataType: DataType.Int32, arrayType: opcua.VariantArrayType.Matrix, dimensions: [2, 3],
      value: new Int32Array([1, 2, 3, 4, 5, 6]) }) });

  let counter = 0;
  const counterNode = ns.addVariable({ componentOf: plc, browseName: "Counter", nodeId: "s=Counter", dataType: "UInt32",
    minimumSamplingInterval: 0, value: V(DataType.UInt32, 0) });
  setInterval(() => { counter = (counter + 1) >>> 0; counterNode.setValueFromSource(V(DataType.UInt32, counter)); }, args.counterMs);

  try {
    const machineStateType = addressSpace.findDataType("MachineState", typesNs.index);
    const structure = addressSpace.constructExtensionObject(machineStateType, {
      name: "Press1", temperature: 81.5, running: true, partCount: 1234, alarms: [3, 7] });
    ns.addVariable({ componentOf: plc, browseName: "Structure", nodeId: "s=Structure", dataType: machineStateType,
      value: new opcua.Variant({ dataType: DataType.ExtensionObject, value: structure }) });
  } catch (err) {
    console.error("structure type unavailable: " + err.message);
  }

  if (args.items > 0) {
    const load = ns.addFolder(plc, { browseName: "Load", nodeId: "s=Load" });
    const items = [];
    for (let i = 0; i < args.items; i++) {
      const name = "Item" + String(i).padStart(5, "0");
      items.push(ns.addVariable({ componentOf: load, browseName: name, nodeId: "s=Load." + name, dataType: "UInt32",
        minimumSamplingInterval: 0, value: V(DataType.UInt32, 0) }));
    }
    if (args.clockGrid) {
      const gridBase = Date.UTC(2026, 0, 1);
      const gridTick = () => Math.floor((Date.now() - gridBase) / args.loadMs);
      let tick = gridTick() - 1;
      const step = () => {
        for (const target = gridTick(); tick < target; ) {
          tick++;
          const v = V(DataType.UInt32, tick >>> 0);
          const at = new Date(gridBase + tick * args.loadMs);
          for (const item of items) item.setValueFromSource(v, opcua.StatusCodes.Good, at);
        }
      };
      step();
      setInterval(step, Math.max(1, Math.floor(args.loadMs / 4)));
    } else {
      let tick = 0;
      setInterval(() => {
        tick = (tick + 1) >>> 0;
        const v = V(DataType.UInt32, tick);
        for (const item of items) item.setValueFromSource(v);
      }, args.loadMs);
    }
  }

  const machines = machinesNs.addFolder(addressSpace.rootFolder.objects, { browseName: "Machines", nodeId: "s=Machines" });
  const tags = {
    Mill1: [["SpindleSpeed", 12000, 300], ["FeedRate", 850, 40], ["SpindleLoad", 35, 10]],
    Press1: [["Force", 1200, 150], ["DieTemperature", 65, 3], ["Strokes", 0, 0]],
    Oven1: [["Zone1Temperature", 180, 2], ["Zone2Temperature", 175, 2], ["Setpoint", 180, 0]],
  };
  const dynamic = [];
  for (const [machine, list] of Object.entries(tags)) {
    const folder = machinesNs.addObject({ organizedBy: machines, browseName: machine, nodeId: "s=" + machine });
    for (const [tag, base, amplitude] of list) {
      const node = machinesNs.addVariable({ componentOf: folder, browseName: tag, nodeId: `s=${machine}.${tag}`, dataType: "Double",
        minimumSamplingInterval: 0, value: V(DataType.Double, base) });
      dynamic.push([node, base, amplitude, tag === "Strokes"]);
    }
  }
  let t = 0;
  setInterval(() => {
    t++;
    for (const [node, base, amplitude, isCount] of dynamic) {
      const value = isCount ? t : base + amplitude * Math.sin(t / 10);
      node.setValueFromSource(V(DataType.Double, value));
    }
  }, 500);

  await server.start();
  const url = server.getEndpointUrl();
  console.log("READY " + url + " namespaces=" + addressSpace.getNamespaceArray().map((n) => n.namespaceUri).join(","));
  const stop = async () => { await server.shutdown(0); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => { console.error("FAILED " + (err && err.stack || err)); process.exit(1); });
