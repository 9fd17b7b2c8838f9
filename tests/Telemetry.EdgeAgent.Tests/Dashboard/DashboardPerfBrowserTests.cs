using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Telemetry.EdgeAgent.Tests.Dashboard;

/// <summary>
/// The plant overview under load in a real headless Chromium: 200 machines × 20 tags, every tag updated once a second
/// (4,000 samples/s over /api/live from <see cref="SyntheticPlantServer"/>). Measured in the browser: the time to apply
/// one update (performance.now around the page's `samples` handler, which parses and applies a batch, and around its
/// render tick, which updates the tiles), long tasks (PerformanceObserver), and page memory (CDP Performance.getMetrics
/// JSHeapUsedSize after a forced GC) over the run. The test runs 90 s with generous bounds (the machine is shared); the
/// bench runs 10 minutes and prints the figures:
/// <code>TELEMETRY_DASHBOARD_BENCH_SECONDS=600 dotnet test tests/Telemetry.EdgeAgent.Tests -c Release --filter "FullyQualifiedName~DashboardPerfBrowserTests" --logger "console;verbosity=detailed"</code>
/// </summary>
public class DashboardPerfBrowserTests(ITestOutputHelper output)
{
    private const int Machines = 200;
    private const int Tags = 20;

    // Wraps the page's EventSource 'samples' listener and its 250 ms render interval with performance.now, before
    // the page's own scripts run; keeps bounded aggregates only (so the probe does not grow the heap it measures).
    private const string Probe = """
        (() => {
          const make = () => ({ count: 0, sum: 0, max: 0, over50: 0, hist: new Array(64).fill(0) });
          const perf = window.__perf = { handler: make(), render: make(), longTasks: 0, longMax: 0 };
          perf.reset = () => { perf.handler = make(); perf.render = make(); perf.longTasks = 0; perf.longMax = 0; };
          const note = (agg, ms) => { agg.count++; agg.sum += ms; if (ms > agg.max) agg.max = ms; if (ms > 50) agg.over50++; agg.hist[Math.min(63, Math.floor(ms / 2))]++; };
          const timed = (fn, key) => function (...args) { const t = performance.now(); try { return fn.apply(this, args); } finally { note(perf[key], performance.now() - t); } };
          const add = EventSource.prototype.addEventListener;
          EventSource.prototype.addEventListener = function (type, fn, opts) { return add.call(this, type, type === 'samples' ? timed(fn, 'handler') : fn, opts); };
          const every = window.setInterval;
          window.setInterval = function (fn, ms, ...rest) { return every.call(window, ms === 250 && typeof fn === 'function' ? timed(fn, 'render') : fn, ms, ...rest); };
          try { new PerformanceObserver(list => { for (const e of list.getEntries()) { perf.longTasks++; if (e.duration > perf.longMax) perf.longMax = e.duration; } }).observe({ type: 'longtask', buffered: true }); } catch { }
        })();
        """;

    private const string ReadProbe = """
        () => {
          const q = (agg, p) => { let n = 0; const want = agg.count * p; for (let i = 0; i < agg.hist.length; i++) { n += agg.hist[i]; if (n >= want) return (i + 1) * 2; } return agg.max; };
          const out = agg => ({ count: agg.count, mean: agg.count ? agg.sum / agg.count : 0, p95: q(agg, 0.95), max: agg.max, over50: agg.over50 });
          return JSON.stringify({ handler: out(__perf.handler), render: out(__perf.render), longTasks: __perf.longTasks, longMax: __perf.longMax });
        }
        """;

    [Fact]
    public async Task Overview_200MachinesX20TagsEverySecond_UpdatesAppliedFastAndMemoryFlat()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("TELEMETRY_DASHBOARD_BENCH_SECONDS"), CultureInfo.InvariantCulture, out var s) ? Math.Max(30, s) : 90;
        await using var server = await SyntheticPlantServer.StartAsync(Machines, Tags, TimeSpan.FromSeconds(1));
        var (playwright, browser) = await Fixtures.Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
            var errors = Fixtures.BrowserErrors.Watch(page);
            await page.AddInitScriptAsync(Probe);
            await page.GotoAsync(server.BaseAddress.ToString());
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('article.tile').length === {Machines}", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            await page.WaitForSelectorAsync("#link.ok", new PageWaitForSelectorOptions { Timeout = 15_000 });
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");

            // Warm up (JIT, first layout, every tile and value created), then measure from a clean slate.
            await Task.Delay(TimeSpan.FromSeconds(15));
            await page.EvaluateAsync("() => __perf.reset()");
            var heaps = new List<(double At, double Bytes)> { (0, await HeapAfterGcAsync(cdp)) };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = new StringBuilder();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, seconds / 6.0)));
                heaps.Add((clock.Elapsed.TotalSeconds, await HeapAfterGcAsync(cdp)));
            }

            var figures = JsonDocument.Parse(await page.EvaluateAsync<string>(ReadProbe)).RootElement;
            var handler = figures.GetProperty("handler");
            var render = figures.GetProperty("render");
            report.AppendLine(CultureInfo.InvariantCulture, $"dashboard overview, {Machines} machines x {Tags} tags every 1 s ({Machines * Tags} samples/s), {seconds} s measured after 15 s warm-up, {server.EventsSent} events sent");
            report.AppendLine(CultureInfo.InvariantCulture, $"  apply a samples event (parse + update model, <= 2000 samples): {Line(handler)}");
            report.AppendLine(CultureInfo.InvariantCulture, $"  render tick (update 200 tiles, every 250 ms):                  {Line(render)}");
            report.AppendLine(CultureInfo.InvariantCulture, $"  long tasks (> 50 ms): {figures.GetProperty("longTasks").GetInt32()}, longest {figures.GetProperty("longMax").GetDouble():0.0} ms");
            report.AppendLine(CultureInfo.InvariantCulture, $"  JS heap after GC (MB): {string.Join(", ", heaps.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.At:0}s={h.Bytes / 1e6:0.0}")))}");
            output.WriteLine(report.ToString());
            Console.WriteLine(report.ToString());

            // Generous bounds for a shared 2-core machine; the target (<= 50 ms per update) is judged from the bench figures.
            Assert.True(handler.GetProperty("count").GetInt32() >= seconds, $"the page applied only {handler.GetProperty("count").GetInt32()} events in {seconds} s\n{report}");
            Assert.True(handler.GetProperty("p95").GetDouble() <= 250, $"applying an update is slow\n{report}");
            Assert.True(render.GetProperty("p95").GetDouble() <= 250, $"rendering an update is slow\n{report}");
            var (first, last) = (heaps[0].Bytes, heaps[^1].Bytes);
            Assert.True(last <= (first * 1.5) + 10e6, $"page memory grew from {first / 1e6:0.0} MB to {last / 1e6:0.0} MB\n{report}");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Fixtures.Chromium.ScreenshotPath("dashboard-overview-200-machines-desktop.png") });
            errors.AssertNone();
        }
    }

    private static string Line(JsonElement agg) => string.Create(CultureInfo.InvariantCulture,
        $"n={agg.GetProperty("count").GetInt32()} mean={agg.GetProperty("mean").GetDouble():0.0} ms p95<={agg.GetProperty("p95").GetDouble():0} ms max={agg.GetProperty("max").GetDouble():0.0} ms over 50 ms: {agg.GetProperty("over50").GetInt32()}");

    private static async Task<double> HeapAfterGcAsync(ICDPSession cdp)
    {
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var metrics = await cdp.SendAsync("Performance.getMetrics");
        foreach (var m in metrics!.Value.GetProperty("metrics").EnumerateArray())
        {
            if (m.GetProperty("name").GetString() == "JSHeapUsedSize")
            {
                return m.GetProperty("value").GetDouble();
            }
        }

        throw new InvalidOperationException("Chromium reported no JSHeapUsedSize");
    }
}
