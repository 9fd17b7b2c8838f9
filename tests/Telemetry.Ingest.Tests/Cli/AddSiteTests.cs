using Telemetry.Ingest.Cli;
using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Sites;
using Telemetry.Testing;

namespace Telemetry.Ingest.Tests.Cli;

public sealed class AddSiteTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void AddToken_NoSitesKey_AppendsSitesList()
    {
        var yaml = SiteFileEditor.AddToken("# the ingest\nstore: { kind: victoriametrics, url: 'http://127.0.0.1:8428' }\n", "plant-a", Hash);

        var options = IngestConfigLoader.Load(yaml, "t.yaml");
        Assert.Equal(Hash, Assert.Single(Assert.Single(options.Sites).TokenHashes));
        Assert.StartsWith("# the ingest\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void AddToken_ExistingSiteFlowTokens_AddsSecondHash()
    {
        var yaml = SiteFileEditor.AddToken($"sites:\n  - name: plant-a # first\n    tokens: [{new string('1', 64)}]\n  - name: plant-b\n", "plant-a", Hash);

        var options = IngestConfigLoader.Load(yaml, "t.yaml");
        Assert.Equal(2, options.Sites[0].TokenHashes.Count);
        Assert.Contains("# first", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void AddToken_ExistingSiteBlockTokens_AddsItem()
    {
        var yaml = SiteFileEditor.AddToken($"sites:\n  - name: plant-a\n    tokens:\n      - {new string('1', 64)}\nstore: {{ kind: victoriametrics, url: 'http://127.0.0.1:8428' }}\n", "plant-a", Hash);

        Assert.Equal(2, IngestConfigLoader.Load(yaml, "t.yaml").Sites[0].TokenHashes.Count);
    }

    [Fact]
    public void AddToken_NewSiteAfterOthers_KeepsFollowingKeys()
    {
        var yaml = SiteFileEditor.AddToken($"sites:\n  - name: plant-a\n    tokens: [{new string('1', 64)}]\n\n# the store\nstore: {{ kind: victoriametrics, url: 'http://127.0.0.1:8428' }}\n", "plant-c", Hash);

        var options = IngestConfigLoader.Load(yaml, "t.yaml");
        Assert.Equal(["plant-a", "plant-c"], options.Sites.Select(s => s.Name));
        Assert.Equal(StoreKind.VictoriaMetrics, options.Store.Kind);
    }

    [Fact]
    public async Task AddSiteCommand_WritesHashAndPrintsTokenThatAuthenticates()
    {
        using var dir = new TempDirectory("add-site");
        var file = dir.Combine("ingest.yaml");
        await File.WriteAllTextAsync(file, "listen: [http://127.0.0.1:8086]\n");
        using var output = new StringWriter();

        var exit = await IngestCommandLine.RunAsync(["add-site", "plant-x", "--config", file], output, output);

        Assert.Equal(0, exit);
        var token = output.ToString().Split('\n')[1].Trim();
        var options = IngestConfigLoader.LoadFile(file);
        Assert.Equal("plant-x", new SiteTokens(options.Sites).FindSite(token));
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSiteCommand_BadName_UsageError()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await IngestCommandLine.RunAsync(["add-site", "bad name!", "--config", "/nonexistent.yaml"], output, output));
    }
}
