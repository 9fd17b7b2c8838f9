// End-to-end load and fault harness (issue 10). Starts every peer itself on loopback; see bench/README.md.
//
//   dotnet run -c Release --project bench/Telemetry.Harness -- [--short] [--scenario NAME] [--out DIR]
//
// Scenarios: steady, steady-influxdb, nodered (the Node-RED anchor on the same load), mqtt-steady (JSON + Sparkplug B devices on Mosquitto), store-down, ingest-restart, edge-kill, network, plc-restart, spool-full, mosquitto-restart, mosquitto-crash (all when none is named).
// Writes DIR/<scenario>.csv, DIR/<scenario>.png and DIR/RESULTS.harness.md; exit code 1 when a scenario lost samples.
using Telemetry.Harness;

return await HarnessCommand.RunAsync(args, Console.Out, CancellationToken.None);
