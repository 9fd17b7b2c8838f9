using System.Globalization;

namespace Telemetry.Harness.Rig;

/// <summary>
/// edge.yaml for the MQTT load: one `mqtt` source on the harness's Mosquitto, QoS 1, MQTT 5 with a persistent
/// session, two rules: plain JSON (harness/{machine}, values under data, ms timestamp in ts) and Sparkplug B
/// (machines = devices, tags = metric names).
/// </summary>
public static class MqttEdgeConfigWriter
{
    public static string Write(int webPort, string dataDirectory, int datacenterPort, int brokerPort) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            edge: { id: edge-harness, site: {{IngestProcess.Site}}, data_dir: '{{dataDirectory}}' }
            web: { listen: '127.0.0.1:{{webPort}}' }
            log: { format: text, level: warning }
            datacenter:
              kind: telemetry-ingest
              url: http://127.0.0.1:{{datacenterPort}}/
              token: { env: {{EdgeProcess.TokenVariable}} }
              timeout: 10s
            sources:
              - name: devices
                type: mqtt
                broker: mqtt://127.0.0.1:{{brokerPort}}
                protocol: 5
                persistent_session: true
                qos: 1
                rules:
                  - topic: "harness/{machine}"
                    format: json
                    area: {{EdgeConfigWriter.Area}}
                    line: {{EdgeConfigWriter.Line}}
                    json: { values: data, timestamp: ts, timestamp_unit: ms }
                  - topic: "spBv1.0/{{MqttLoadPublisher.Group}}/#"
                    format: sparkplug-b
                    area: {{EdgeConfigWriter.Area}}
                    line: {{EdgeConfigWriter.Line}}
            """);
}
