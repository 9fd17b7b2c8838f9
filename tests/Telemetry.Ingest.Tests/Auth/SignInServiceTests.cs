using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Telemetry.Ingest.Auth;

namespace Telemetry.Ingest.Tests.Auth;

public sealed class SignInServiceTests
{
    private const string Key = "0123456789abcdef0123456789abcdef-shared";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly PasswordHash AnnaHash = PasswordHash.Create("anna-pass-1", PasswordHash.MinIterations);

    private static SignInService Service(TimeProvider time, PasswordHash? anna = null, string? key = Key) => new(
        [new UserOptions { Name = "anna", Site = "plant-a", Password = anna ?? AnnaHash }],
        ["plant-a", "plant-b"],
        new SignInOptions { SessionKey = key, SessionLifetime = TimeSpan.FromHours(1) },
        time,
        NullLogger.Instance);

    private static DefaultHttpContext WithCookie(string cookie, string? origin = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Host = new HostString("ingest.example:8443");
        http.Request.Headers.Cookie = $"{SignInService.CookieName}={cookie}";
        if (origin is not null)
        {
            http.Request.Headers.Origin = origin;
        }

        return http;
    }

    [Fact]
    public async Task Resolve_SessionOfSiteUser_CallerLimitedToItsSite()
    {
        using var service = Service(new FakeTimeProvider(Start));
        var result = await service.SignInAsync("ANNA", "anna-pass-1", "10.0.0.1");

        var caller = service.Resolve(WithCookie(result.Cookie!));

        Assert.Equal(SignInStatus.SignedIn, result.Status);
        Assert.Equal("user:anna", caller!.Name);
        Assert.Equal("plant-a", caller.Site);
        Assert.False(caller.MaySee("plant-b"));
    }

    [Fact]
    public async Task Resolve_OtherInstanceWithSameKey_Accepted()
    {
        var clock = new FakeTimeProvider(Start);
        using var first = Service(clock);
        using var second = Service(clock);
        var cookie = (await first.SignInAsync("anna", "anna-pass-1", "ip")).Cookie!;

        Assert.NotNull(second.Resolve(WithCookie(cookie)));
    }

    [Fact]
    public async Task Resolve_InstanceWithoutConfiguredKey_RefusesOtherInstancesSession()
    {
        var clock = new FakeTimeProvider(Start);
        using var first = Service(clock, key: null);
        using var second = Service(clock, key: null);
        var cookie = (await first.SignInAsync("anna", "anna-pass-1", "ip")).Cookie!;

        Assert.NotNull(first.Resolve(WithCookie(cookie)));
        Assert.Null(second.Resolve(WithCookie(cookie)));
    }

    [Fact]
    public async Task Resolve_PasswordChangedSinceSignIn_Null()
    {
        var clock = new FakeTimeProvider(Start);
        using var before = Service(clock);
        var cookie = (await before.SignInAsync("anna", "anna-pass-1", "ip")).Cookie!;
        using var after = Service(clock, PasswordHash.Create("anna-pass-2", PasswordHash.MinIterations));

        Assert.Null(after.Resolve(WithCookie(cookie)));
    }

    [Fact]
    public async Task Resolve_AfterLifetime_Null()
    {
        var clock = new FakeTimeProvider(Start);
        using var service = Service(clock);
        var cookie = (await service.SignInAsync("anna", "anna-pass-1", "ip")).Cookie!;

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Null(service.Resolve(WithCookie(cookie)));
    }

    [Theory]
    [InlineData("https://ingest.example:8443", true)]
    [InlineData("https://evil.example", false)]
    [InlineData("https://ingest.example:9999", false)]
    [InlineData("null", false)]
    public async Task Resolve_Origin_OnlySameOriginAccepted(string origin, bool accepted)
    {
        using var service = Service(new FakeTimeProvider(Start));
        var cookie = (await service.SignInAsync("anna", "anna-pass-1", "ip")).Cookie!;

        Assert.Equal(accepted, service.Resolve(WithCookie(cookie, origin)) is not null);
    }

    [Fact]
    public async Task SignInAsync_UnknownUser_RefusedAndCountedLikeWrongPassword()
    {
        using var service = new SignInService(
            [new UserOptions { Name = "anna", Site = "plant-a", Password = AnnaHash }], ["plant-a"],
            new SignInOptions { MaxFailures = 2 }, new FakeTimeProvider(Start), NullLogger.Instance);

        Assert.Equal(SignInStatus.Refused, (await service.SignInAsync("ghost", "x", "ip")).Status);
        Assert.Equal(SignInStatus.Refused, (await service.SignInAsync("ghost", "y", "ip")).Status);
        Assert.Equal(SignInStatus.Throttled, (await service.SignInAsync("ghost", "z", "ip")).Status);
    }
}
