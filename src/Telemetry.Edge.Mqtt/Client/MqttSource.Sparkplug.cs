using Telemetry.Edge.Mqtt.Pipeline;

namespace Telemetry.Edge.Mqtt;

/// <summary>Sparkplug B host duties of the source: rebirth requests (NCMD) for nodes the decoder lost track of.</summary>
public sealed partial class MqttSource
{
    private static ValueTask PublishRebirthRequestsAsync(IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        _ = pipeline;
        _ = cancellationToken;
        return ValueTask.CompletedTask;
    }
}
