using System.Globalization;
using System.Text;

namespace Telemetry.Harness.Rig;

/// <summary>The spool part of edge.yaml (the disk-budget scenario makes it small).</summary>
public sealed record SpoolBudget(string MaxDisk, string SegmentSize);

/// <summary>edge.yaml for the harness: one OPC UA source on the simulated PLC, every item mapped to (machine, tag).</summary>
public static class EdgeConfigWriter
{
    public const string Area = "hall-1";
    public const string Line = "line-1";

    public static string MachineOf(int item) => $"m{(item / 100).ToString("D3", CultureInfo.InvariantCulture)}";

    public static string TagOf(int item) => $"t{(item % 100).ToString("D3", CultureInfo.InvariantCulture)}";

    public static string Write(int webPort, string dataDirectory, int datacenterPort, PlcProcess plc, SpoolBudget? spool)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $$"""
            edge: { id: edge-harness, site: {{IngestProcess.Site}}, data_dir: '{{dataDirectory}}' }
            web: { listen: '127.0.0.1:{{webPort}}' }
            log: { format: text, level: warning }
            """);
        if (spool is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"spool: {{ max_disk: {spool.MaxDisk}, when_full: drop-oldest, segment_size: {spool.SegmentSize} }}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $$"""
            datacenter:
              kind: telemetry-ingest
              url: http://127.0.0.1:{{datacenterPort}}/
              token: { env: {{EdgeProcess.TokenVariable}} }
              timeout: 10s
            sources:
              - name: plc
                type: opcua
                endpoint: {{plc.EndpointUrl}}
                security: none
                publishing_interval: 100ms
                sampling_interval: 0ms
                queue_size: 100
                area: {{Area}}
                line: {{Line}}
                nodes:
            """);
        for (var i = 0; i < plc.Items; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"      - {{ node: '{PlcProcess.NodeId(i)}', machine: {MachineOf(i)}, tag: {TagOf(i)} }}");
        }

        return text.ToString();
    }
}
