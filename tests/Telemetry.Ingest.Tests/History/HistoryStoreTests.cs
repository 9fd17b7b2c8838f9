using System.Net;
using System.Text.Json;
using Telemetry.Core;
using Telemetry.Ingest.Tests.Fixtures;

namespace Telemetry.Ingest.Tests.History;

/// <summary>
/// GET /api/history against a real store: samples back-dated an hour are written through the ingest's write API
/// with a site token and read back. Every test names its own machines, so the tests share one store.
/// </summary>
public abstract class HistoryStoreTests(HistoryRig rig)
{
    protected HistoryRig Rig { get; } = rig;

    [Fact]
    public async Task History_ShortRange_ReturnsRawPointsExactly()
    {
        var path = new AssetPath("plant-a", "press-shop", "line-1", "raw-" + Rig.Kind, "temp");
        var samples = Enumerable.Range(0, 20).Select(i => (path, Rig.HourAgoMs + (i * 1000) + 7, SampleValue.FromDouble(20.5 + (i * 0.25)))).ToList();
        await Rig.WriteAsync(IngestTestKit.TokenA, samples);

        var body = await Rig.HistoryUntilAsync(IngestTestKit.TokenA,
            $"machine={HistoryRig.Q(path.MachineKey)}&tag=temp&from={Rig.HourAgoMs}&to={Rig.HourAgoMs + 60_000}", 20);

        var series = Assert.Single(body.GetProperty("series").EnumerateArray());
        Assert.Equal(path.MachineKey, series.GetProperty("machine").GetString());
        Assert.Equal("temp", series.GetProperty("tag").GetString());
        Assert.False(series.TryGetProperty("interval", out _));
        var points = series.GetProperty("points").EnumerateArray().Select(p => (p[0].GetInt64(), p[1].GetDouble())).ToList();
        Assert.Equal(samples.Select(s => (s.Item2, s.Item3.AsDouble())).ToList(), points);
    }

    [Fact]
    public async Task History_LongRange_DownsamplesToAboutRequestedPoints()
    {
        var path = new AssetPath("plant-a", "press-shop", "line-1", "long-" + Rig.Kind, "speed");
        var from = Rig.HourAgoMs;
        var samples = Enumerable.Range(0, 1200).Select(i => (path, from + (i * 1000), SampleValue.FromDouble(i))).ToList();
        await Rig.WriteAsync(IngestTestKit.TokenA, samples);
        var to = from + (1199 * 1000);

        // A raw read first: every point is searchable before the downsampled query is judged.
        await Rig.HistoryUntilAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(path.MachineKey)}&tag=speed&from={from}&to={to}&points=5000", 1200);
        var body = await Rig.HistoryUntilAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(path.MachineKey)}&tag=speed&from={from}&to={to}&points=100", 90);

        var series = Assert.Single(body.GetProperty("series").EnumerateArray());
        var interval = series.GetProperty("interval").GetInt64();
        Assert.InRange(interval, 11_000, 13_000);
        var points = series.GetProperty("points").EnumerateArray().Select(p => (Ms: p[0].GetInt64(), Value: p[1].GetDouble())).ToList();
        Assert.InRange(points.Count, 90, 102);
        Assert.All(points, p => Assert.InRange(p.Ms, from - interval, to + interval));
        Assert.All(points, p => Assert.InRange(p.Value, 0, 1199));
        Assert.Equal(points.OrderBy(p => p.Ms).ToList(), points);

        // Means of a rising ramp rise: the first bucket is near 0, the last near 1199.
        Assert.True(points[0].Value < 30, $"first mean {points[0].Value}");
        Assert.True(points[^1].Value > 1160, $"last mean {points[^1].Value}");
    }

    [Fact]
    public async Task History_SiteToken_SeesOnlyItsOwnSite()
    {
        var mineA = new AssetPath("plant-a", "a", "l", "iso-" + Rig.Kind, "temp");
        var theirsB = new AssetPath("plant-b", "a", "l", "iso-" + Rig.Kind, "temp");
        var at = Rig.HourAgoMs + 500_000;
        await Rig.WriteAsync(IngestTestKit.TokenA, [(mineA, at, SampleValue.FromDouble(1))]);
        await Rig.WriteAsync(IngestTestKit.TokenB, [(theirsB, at, SampleValue.FromDouble(2))]);
        var range = $"&tag=temp&from={at - 1000}&to={at + 1000}";

        // An operator sees both sites' machines of that name (this also waits until both are searchable).
        var all = await Rig.HistoryUntilAsync(IngestTestKit.OperatorToken, $"machine={HistoryRig.Q(mineA.Machine)}{range}", 2);
        Assert.Equal([mineA.MachineKey, theirsB.MachineKey], all.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("machine").GetString()!).Order().ToArray());

        // Site A by name: its own machine only.
        var (status, body) = await Rig.HistoryAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(mineA.Machine)}{range}");
        Assert.Equal(HttpStatusCode.OK, status);
        var only = Assert.Single(body.GetProperty("series").EnumerateArray());
        Assert.Equal(mineA.MachineKey, only.GetProperty("machine").GetString());

        // Site A naming site B's machine key, or site B in ?site=: refused.
        (status, body) = await Rig.HistoryAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(theirsB.MachineKey)}{range}");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("plant-b", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        (status, _) = await Rig.HistoryAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(theirsB.Machine)}&site=plant-b{range}");
        Assert.Equal(HttpStatusCode.Forbidden, status);

        // No token, or an unknown one: 401.
        (status, _) = await Rig.HistoryAsync(null, $"machine={HistoryRig.Q(mineA.Machine)}{range}");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        (status, _) = await Rig.HistoryAsync("not-a-token", $"machine={HistoryRig.Q(mineA.Machine)}{range}");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("we\"ird 'm,1=x\\y")]
    [InlineData("it's \"quoted\", spaced\\and=odd")]
    public async Task History_HostileMachineName_RoundTripsWithoutInjection(string name)
    {
        var hostile = new AssetPath("plant-a", "area \"1\"", "line,'2'", name + " " + Rig.Kind, "temp");
        var victim = new AssetPath("plant-a", "area \"1\"", "line,'2'", "victim " + name.Length + Rig.Kind, "temp");
        var at = Rig.HourAgoMs + 900_000 + name.Length;
        await Rig.WriteAsync(IngestTestKit.TokenA, [(hostile, at, SampleValue.FromDouble(42.5)), (victim, at, SampleValue.FromDouble(7))]);
        var range = $"&tag=temp&from={at - 1000}&to={at + 1000}";

        var body = await Rig.HistoryUntilAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(hostile.MachineKey)}{range}", 1);
        var series = Assert.Single(body.GetProperty("series").EnumerateArray());
        Assert.Equal(hostile.MachineKey, series.GetProperty("machine").GetString());
        var point = Assert.Single(series.GetProperty("points").EnumerateArray());
        Assert.Equal(at, point[0].GetInt64());
        Assert.Equal(42.5, point[1].GetDouble());
        await Rig.HistoryUntilAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(victim.MachineKey)}{range}", 1);

        // Names that try to widen the match find nothing (and never the victim).
        foreach (var attack in new[]
                 {
                     "x' OR \"machine\" != '' OR 'a'='a", "x\\' OR 1=1 --", "x\" OR \"\"=\"", "x\",machine=~\".*", "x\\\",machine=~\".*",
                     "plant-a/area \"1\"/line,'2'/x' OR \"machine\" =~ /.*/ OR 'a'='a", "plant-a/area \"1\"/line,'2'/x\",machine=~\".+",
                 })
        {
            var (status, answer) = await Rig.HistoryAsync(IngestTestKit.OperatorToken, $"machine={HistoryRig.Q(attack)}{range}");
            Assert.True(status == HttpStatusCode.OK, $"{attack}: {(int)status} {answer}");
            Assert.Empty(answer.GetProperty("series").EnumerateArray());
        }
    }

    [Theory]
    [InlineData("tag=temp&from=0&to=1", "machine")]
    [InlineData("machine=m&from=0&to=1", "tag")]
    [InlineData("machine=m&tag=t&from=yesterday&to=1", "from")]
    [InlineData("machine=m&tag=t&from=0&to=1&points=0", "points")]
    [InlineData("machine=m&tag=t&from=10&to=1", "from")]
    [InlineData("machine=a/b&tag=t&from=0&to=1", "machine")]
    [InlineData("machine=m&tag=t_quality&from=0&to=1", "tag")]
    public async Task History_BadParameter_Returns400NamingIt(string query, string parameter)
    {
        var (status, body) = await Rig.HistoryAsync(IngestTestKit.TokenA, query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"'{parameter}'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_IsoTimes_SameAsMilliseconds()
    {
        var path = new AssetPath("plant-a", string.Empty, string.Empty, "iso-time-" + Rig.Kind, "count");
        var at = Rig.HourAgoMs + 1_200_000;
        await Rig.WriteAsync(IngestTestKit.TokenA, [(path, at, SampleValue.FromInt64(5))]);
        var from = DateTimeOffset.FromUnixTimeMilliseconds(at - 1000).ToString("O");
        var to = DateTimeOffset.FromUnixTimeMilliseconds(at + 1000).ToString("O");

        var body = await Rig.HistoryUntilAsync(IngestTestKit.TokenA, $"machine={HistoryRig.Q(path.Machine)}&tag=count&from={HistoryRig.Q(from)}&to={HistoryRig.Q(to)}", 1);

        var series = Assert.Single(body.GetProperty("series").EnumerateArray());
        Assert.Equal("plant-a///iso-time-" + Rig.Kind, series.GetProperty("machine").GetString());
        var point = Assert.Single(series.GetProperty("points").EnumerateArray());
        Assert.Equal(at, point[0].GetInt64());
        Assert.Equal(5, point[1].GetDouble());
    }

    [Fact]
    public async Task History_UnknownTag_ReturnsNoSeries()
    {
        var (status, body) = await Rig.HistoryAsync(IngestTestKit.TokenA, $"machine=nobody&tag=nothing&from={Rig.HourAgoMs}&to={Rig.HourAgoMs + 1000}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("series").EnumerateArray());
    }
}

public sealed class InfluxDb1HistoryTests(InfluxHistoryRig rig) : HistoryStoreTests(rig), IClassFixture<InfluxHistoryRig>
{
    [Fact]
    public async Task History_StringsAndBooleans_RawAndLastPerBucket()
    {
        var state = new AssetPath("plant-a", "a", "l", "strings", "state");
        var door = new AssetPath("plant-a", "a", "l", "strings", "door");
        var from = Rig.HourAgoMs;
        var samples = new List<(AssetPath, long, SampleValue)>();
        for (var i = 0; i < 40; i++)
        {
            samples.Add((state, from + (i * 1000), SampleValue.FromString(i % 2 == 0 ? "run \"ok\"" : "idle")));
            samples.Add((door, from + (i * 1000), SampleValue.FromBoolean(i % 3 == 0)));
        }

        await Rig.WriteAsync(IngestTestKit.TokenA, samples);
        var key = HistoryRig.Q(state.MachineKey);

        var raw = await Rig.HistoryUntilAsync(IngestTestKit.TokenA, $"machine={key}&tag=state,door&from={from}&to={from + 39_000}", 80);
        var byTag = raw.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("tag").GetString()!);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? "run \"ok\"" : "idle"), byTag["state"].GetProperty("points").EnumerateArray().Select(p => p[1].GetString()));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i % 3 == 0), byTag["door"].GetProperty("points").EnumerateArray().Select(p => p[1].GetBoolean()));

        // 40 points into about 10 buckets of 4 s: last of each bucket, a string or a boolean (never a mean).
        var (status, down) = await Rig.HistoryAsync(IngestTestKit.TokenA, $"machine={key}&tag=state,door&from={from}&to={from + 39_999}&points=10");
        Assert.Equal(HttpStatusCode.OK, status);
        var downByTag = down.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("tag").GetString()!);
        Assert.InRange(downByTag["state"].GetProperty("points").GetArrayLength(), 9, 12);
        Assert.All(downByTag["state"].GetProperty("points").EnumerateArray(), p => Assert.Equal(JsonValueKind.String, p[1].ValueKind));
        Assert.All(downByTag["door"].GetProperty("points").EnumerateArray(), p => Assert.True(p[1].ValueKind is JsonValueKind.True or JsonValueKind.False));
    }
}

public sealed class VictoriaMetricsHistoryTests(VictoriaHistoryRig rig) : HistoryStoreTests(rig), IClassFixture<VictoriaHistoryRig>;
