using MQTTnet;
using MQTTnet.Protocol;
using Telemetry.Core;
using Telemetry.Edge.Mqtt.Diagnostics;
using Telemetry.Edge.Mqtt.Pipeline;
using Telemetry.Edge.Mqtt.Sparkplug;

namespace Telemetry.Edge.Mqtt;

/// <summary>Sparkplug B host duties of the source: rebirth requests (NCMD) for nodes the decoder lost track of.</summary>
public sealed partial class MqttSource
{
    private readonly List<RebirthRequest> _rebirths = [];

    private async ValueTask PublishRebirthRequestsAsync(IngestPipeline pipeline, CancellationToken cancellationToken)
    {
        pipeline.TakeRebirthRequests(_rebirths);
        if (_rebirths.Count == 0)
        {
            return;
        }

        var client = _client;
        foreach (var request in _rebirths)
        {
            _metrics.RebirthRequested();
            Log.RebirthRequested(_logger, Name, request.Group, request.EdgeNode, request.Reason);
            if (client is null)
            {
                continue;
            }

            try
            {
                var message = new MqttApplicationMessageBuilder()
                    .WithTopic(SparkplugCommands.RebirthTopic(request.Group, request.EdgeNode))
                    .WithPayload(SparkplugCommands.Rebirth(UnixTime.Now(_options.TimeProvider) / 1_000_000))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
                    .Build();
                await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.RebirthFailed(_logger, ex, Name, request.Group, request.EdgeNode);
            }
        }

        _rebirths.Clear();
    }
}
