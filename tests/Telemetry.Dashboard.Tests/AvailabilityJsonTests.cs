using System.Text;
using System.Text.Json;
using Telemetry.Dashboard.Availability;

namespace Telemetry.Dashboard.Tests;

public class AvailabilityJsonTests
{
    private const long Ms = 1_000_000L;

    [Fact]
    public void Write_Figures_MillisecondsAndOnlyChangesInWindowOrInForceAtItsStart()
    {
        var changes = new[] { new StateChange("off", 100 * Ms), new StateChange("running", 500 * Ms), new StateChange("fault", 1_500 * Ms), new StateChange("running", 1_700 * Ms) };
        var figures = AvailabilityCalculator.Compute(changes, 1_000 * Ms, 2_000 * Ms);

        var json = Write("s/a/l/m", figures, changes);

        Assert.Equal("s/a/l/m", json.GetProperty("machine").GetString());
        Assert.Equal(1_000, json.GetProperty("from").GetInt64());
        Assert.Equal(1_000, json.GetProperty("plannedMs").GetInt64());
        Assert.Equal(800, json.GetProperty("runningMs").GetInt64());
        Assert.Equal(200, json.GetProperty("faultMs").GetInt64());
        Assert.Equal(1, json.GetProperty("faults").GetInt32());
        Assert.Equal(0.8, json.GetProperty("availability").GetDouble());
        Assert.Equal(800, json.GetProperty("mtbfMs").GetInt64());
        Assert.Equal(200, json.GetProperty("mttrMs").GetInt64());
        var states = json.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("state").GetString()!).ToArray();
        Assert.Equal(new[] { "running", "fault", "running" }, states);
    }

    [Fact]
    public void Write_NoFault_NullsForUndefinedFigures()
    {
        var figures = AvailabilityCalculator.Compute([], 0, 10 * Ms);

        var json = Write("m", figures, []);

        Assert.Equal(JsonValueKind.Null, json.GetProperty("availability").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("mtbfMs").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("mttrMs").ValueKind);
        Assert.Equal(0, json.GetProperty("changes").GetArrayLength());
    }

    private static JsonElement Write(string key, AvailabilityFigures figures, IReadOnlyList<StateChange> changes)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            AvailabilityJson.Write(writer, key, figures, changes);
        }

        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement.Clone();
    }
}
