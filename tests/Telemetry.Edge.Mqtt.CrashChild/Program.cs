using System.Globalization;
using Telemetry.Core;
using Telemetry.Edge.Mqtt;
using Telemetry.Storage;

// The MQTT source's kill -9 child: a persistent-session MQTT source writing into a spool, killed at random moments
// by MqttKillLoopTests. Usage: CrashChild HOST PORT SPOOL_DIR CLIENT_ID [drain]
// Prints "ready" once connected. With "drain" it stops by itself (gracefully) after 2 s without new samples.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: CrashChild HOST PORT SPOOL_DIR CLIENT_ID [drain]");
    return 2;
}

var drain = args.Length > 4 && args[4] == "drain";
await using var spool = await Spool.OpenAsync(new SpoolOptions(args[2]));
var source = new MqttSource(new MqttSourceOptions
{
    Name = "crash-child",
    Host = args[0],
    Port = int.Parse(args[1], CultureInfo.InvariantCulture),
    ClientId = args[3],
    Protocol = MqttProtocol.V5,
    CleanStart = false,
    SessionExpiry = TimeSpan.FromHours(1),
    ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
    ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    Subscriptions = [new MqttSubscription("plant/#", MqttQos.AtLeastOnce)],
    Rules = [new MqttMappingRule { Topic = "plant/{line}/{machine}/{tag}", Site = "s1" }],
});

using var stop = new CancellationTokenSource();
var run = source.RunAsync(spool, stop.Token);
var announced = false;
long lastCount = -1;
var idleSince = DateTime.UtcNow;
while (!run.IsCompleted)
{
    await Task.Delay(50);
    if (!announced && source.GetHealth().State == SourceLinkState.Connected)
    {
        Console.WriteLine("ready");
        announced = true;
    }

    var count = source.GetStatistics().SamplesMapped;
    if (count != lastCount)
    {
        lastCount = count;
        idleSince = DateTime.UtcNow;
    }
    else if (drain && announced && DateTime.UtcNow - idleSince > TimeSpan.FromSeconds(2))
    {
        await stop.CancelAsync();
    }
}

try
{
    await run;
}
catch (OperationCanceledException)
{
}

Console.WriteLine($"drained {lastCount}");
return 0;
