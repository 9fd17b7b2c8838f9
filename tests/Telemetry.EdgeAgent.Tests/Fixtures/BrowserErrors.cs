using Microsoft.Playwright;

namespace Telemetry.EdgeAgent.Tests.Fixtures;

/// <summary>
/// Every console error, uncaught page error and HTTP answer ≥ 400 a page met (a 404 of an API the page calls counts:
/// the hosts answer every call the page makes). Tests assert it stays empty.
/// </summary>
public sealed class BrowserErrors
{
    private readonly List<string> _errors = [];

    private BrowserErrors()
    {
    }

    public IReadOnlyList<string> All
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public static BrowserErrors Watch(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var errors = new BrowserErrors();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Add($"page error: {error}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                errors.Add($"HTTP {response.Status} {response.Request.Method} {response.Url}");
            }
        };
        return errors;
    }

    /// <summary>Fails with every error seen.</summary>
    public void AssertNone()
    {
        var all = All;
        Assert.True(all.Count == 0, "the page met errors:\n" + string.Join('\n', all));
    }

    private void Add(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}
