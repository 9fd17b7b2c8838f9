using System.Text.Json;
using Telemetry.EdgeAgent.Tests.Fixtures;

namespace Telemetry.EdgeAgent.Tests;

[Collection(DemoCollection.Name)]
public class DemoCommandTests(DemoFixture demo)
{
    private static readonly string[] DemoMachines = ["cnc-01", "press-01", "oven-01"];

    [Fact]
    public async Task Demo_Started_ListsThreeMachinesWithStatesAndValues()
    {
        var machines = await WaitForAsync(demo.Agent, m => m.GetArrayLength() == 3 && m.EnumerateArray().All(x => x.GetProperty("state").ValueKind == JsonValueKind.String));
        var names = machines.EnumerateArray().Select(m => m.GetProperty("machine").GetString()).Order().ToArray();
        Assert.Equal(DemoMachines.Order(), names);
        Assert.All(machines.EnumerateArray(), m => Assert.True(m.GetProperty("tags").GetArrayLength() >= 5));
    }

    [Fact]
    public async Task Demo_Running_ValuesChangeOverTime()
    {
        var first = Values(await WaitForAsync(demo.Agent, m => m.GetArrayLength() == 3));
        var changed = false;
        for (var i = 0; i < 50 && !changed; i++)
        {
            await Task.Delay(200);
            var next = Values((await demo.Agent.GetMachinesAsync()).GetProperty("machines"));
            changed = next.Count(kv => first.TryGetValue(kv.Key, out var v) && v != kv.Value) >= 3;
        }

        Assert.True(changed, "fewer than three tag values changed within 10 s");
    }

    [Fact]
    public async Task Demo_FaultInjected_MachineInFaultWithAlarmWithinTwoSeconds()
    {
        using var response = await demo.Agent.Http.PostAsync("api/simulator/oven-01/fault", null);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        var machines = await WaitForAsync(demo.Agent, m => Machine(m, "oven-01") is { } oven && oven.GetProperty("state").GetString() == "fault", TimeSpan.FromSeconds(2));
        Assert.NotEqual(0, Machine(machines, "oven-01")!.Value.GetProperty("alarmCode").GetInt64());

        using var repair = await demo.Agent.Http.PostAsync("api/simulator/oven-01/repair", null);
        await WaitForAsync(demo.Agent, m => Machine(m, "oven-01")?.GetProperty("state").GetString() != "fault");
    }

    [Fact]
    public async Task Demo_UnknownMachine_NotFoundWithReason()
    {
        using var response = await demo.Agent.Http.PostAsync("api/simulator/lathe-9/fault", null);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("lathe-9", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static JsonElement? Machine(JsonElement machines, string name)
    {
        foreach (var m in machines.EnumerateArray())
        {
            if (m.GetProperty("machine").GetString() == name)
            {
                return m;
            }
        }

        return null;
    }

    private static Dictionary<string, string> Values(JsonElement machines)
    {
        var result = new Dictionary<string, string>();
        foreach (var m in machines.EnumerateArray())
        {
            foreach (var t in m.GetProperty("tags").EnumerateArray())
            {
                result[$"{m.GetProperty("machine").GetString()}/{t.GetProperty("tag").GetString()}"] = t.GetProperty("value").GetRawText();
            }
        }

        return result;
    }

    private static async Task<JsonElement> WaitForAsync(EdgeAgentProcess agent, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        JsonElement machines;
        do
        {
            machines = (await agent.GetMachinesAsync()).GetProperty("machines");
            if (condition(machines))
            {
                return machines;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"condition not met within the timeout; last answer: {machines.GetRawText()}");
        return machines;
    }
}
