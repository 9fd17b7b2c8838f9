using Telemetry.Core;
using Telemetry.Storage;

// The spool's kill -9 child: appends numbered samples at full speed and prints, after each append completed (is
// durable), the last number of that batch. The test kills it at random moments and checks the spool.
//   Telemetry.Storage.CrashChild <spool directory> <first number> <seed>
if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: Telemetry.Storage.CrashChild <spool directory> <first number> <seed>");
    return 2;
}

var next = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var random = new Random(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
var options = new SpoolOptions(args[0]) { SegmentBytes = 64 * 1024, GroupCommitInterval = TimeSpan.Zero };
await using var spool = await Spool.OpenAsync(options);
var path = new AssetPath("plant", "area", "line", "crash-child", "counter");
using var batch = new SampleBatch(64);
var stdout = Console.Out;
await stdout.WriteLineAsync("ready");
await stdout.FlushAsync();
while (true)
{
    batch.Clear();
    var count = random.Next(1, 65);
    for (var i = 0; i < count; i++)
    {
        var n = next + i;
        batch.Add(new Sample(path, n, SampleValue.FromInt64(n), Quality.Good, n));
    }

    await spool.WriteAsync(batch);
    next += count;
    await stdout.WriteLineAsync((next - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    await stdout.FlushAsync();
}
