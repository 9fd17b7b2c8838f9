using Telemetry.Ingest.Configuration;
using Telemetry.Ingest.Sites;
using Xunit;

namespace Telemetry.Ingest.Tests.Sites;

public sealed class SiteTokensTests
{
    [Fact]
    public void FindSite_TokenOfSiteA_ReturnsSiteA()
    {
        var tokenA = SiteTokens.NewToken();
        var tokenB = SiteTokens.NewToken();
        var tokens = new SiteTokens(
        [
            new SiteOptions { Name = "plant-a", TokenHashes = [SiteTokens.Hash(tokenA)] },
            new SiteOptions { Name = "plant-b", TokenHashes = [SiteTokens.Hash(tokenB)] },
        ]);

        Assert.Equal("plant-a", tokens.FindSite(tokenA));
        Assert.Equal("plant-b", tokens.FindSite(tokenB));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    public void FindSite_MissingOrWrongToken_ReturnsNull(string? token)
    {
        var tokens = new SiteTokens([new SiteOptions { Name = "plant-a", TokenHashes = [SiteTokens.Hash(SiteTokens.NewToken())] }]);

        Assert.Null(tokens.FindSite(token));
    }

    [Fact]
    public void NewToken_Always_Is64HexDigitsAndHashValidates()
    {
        var token = SiteTokens.NewToken();
        var site = new SiteOptions { Name = "plant-a", TokenHashes = [SiteTokens.Hash(token)] };

        Assert.Equal(64, token.Length);
        site.Validate("sites[0]");
    }

    [Fact]
    public void Constructor_SameHashTwoSites_Refused()
    {
        var hash = SiteTokens.Hash(SiteTokens.NewToken());

        Assert.Throws<IngestConfigException>(() => new SiteTokens(
        [
            new SiteOptions { Name = "plant-a", TokenHashes = [hash] },
            new SiteOptions { Name = "plant-b", TokenHashes = [hash] },
        ]));
    }
}
