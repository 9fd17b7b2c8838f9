using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Telemetry.Ingest.Auth;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Hosting;
using Telemetry.Ingest.Tests.Fixtures;

namespace Telemetry.Ingest.Tests.Auth;

/// <summary>
/// Users of the test ingest: anna sees plant-a, bert plant-b, olga (operator) every site. Passwords are hashed with the
/// lowest iteration count so the tests stay fast; the service code is the same.
/// </summary>
public static class SignInRig
{
    public const string AnnaPassword = "anna-password-1";
    public const string BertPassword = "bert-password-2";
    public const string OlgaPassword = "olga-password-3";

    /// <summary>Two machines per site, one point per field (state, temperature), at the current time.</summary>
    public static string Lines(string site, long nowNs) =>
        string.Concat(new[] { 1, 2 }.Select(n =>
            $"machine,area=hall,line=l{n},machine={site}-m{n},site={site} state=\"running\" {nowNs}\n" +
            $"machine,area=hall,line=l{n},machine={site}-m{n},site={site} temperature={20 + n} {nowNs}\n"));

    public static IngestOptions Options(StoreOptions? store = null, SignInOptions? signIn = null) => IngestTestKit.Options(store) with
    {
        Users =
        [
            new UserOptions { Name = "anna", Site = "plant-a", Password = PasswordHash.Create(AnnaPassword, PasswordHash.MinIterations) },
            new UserOptions { Name = "bert", Site = "plant-b", Password = PasswordHash.Create(BertPassword, PasswordHash.MinIterations) },
            new UserOptions { Name = "olga", Password = PasswordHash.Create(OlgaPassword, PasswordHash.MinIterations) },
        ],
        SignIn = signIn ?? new SignInOptions(),
    };

    /// <summary>Writes both sites' machines through the write API with their tokens.</summary>
    public static async Task WriteBothSitesAsync(IngestServer server)
    {
        using var http = IngestTestKit.Client(server);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var headers = new Dictionary<string, string> { ["X-Telemetry-Edge"] = "edge-a", ["X-Telemetry-Spool-Range"] = "1-4" };
        using var a = await IngestTestKit.WriteV2Async(http, IngestTestKit.TokenA, Lines("plant-a", now), headers: headers);
        headers["X-Telemetry-Edge"] = "edge-b";
        using var b = await IngestTestKit.WriteV2Async(http, IngestTestKit.TokenB, Lines("plant-b", now), headers: headers);
        Assert.True(a.StatusCode == HttpStatusCode.NoContent && b.StatusCode == HttpStatusCode.NoContent, $"writes: {a.StatusCode} {b.StatusCode}");
    }

    /// <summary>A client with its own cookie jar, like one browser.</summary>
    public static HttpClient Browser(IngestServer server) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password) =>
        await browser.PostAsJsonAsync("api/session", new { user, password });

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return doc.RootElement.Clone();
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient browser, string path)
    {
        using var response = await browser.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await JsonAsync(response));
    }

    public static string[] MachineKeys(JsonElement machines) =>
        [.. machines.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("key").GetString()!).Order(StringComparer.Ordinal)];
}
