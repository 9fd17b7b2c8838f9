using Microsoft.Extensions.Time.Testing;
using Telemetry.Ingest.Auth;

namespace Telemetry.Ingest.Tests.Auth;

public sealed class SessionTokensTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void TryRead_IssuedValue_GivesUserStampAndExpiry()
    {
        var clock = new FakeTimeProvider(Start);
        var tokens = new SessionTokens(Key, TimeSpan.FromHours(12), clock);

        var (value, expires) = tokens.Issue("anna", "stamp1");

        Assert.True(tokens.TryRead(value, out var claims));
        Assert.Equal("anna", claims.User);
        Assert.Equal("stamp1", claims.Stamp);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(12), expires);
        Assert.Equal(expires, claims.Expires);
    }

    [Fact]
    public void Issue_TwiceForOneUser_DifferentValuesAndIds()
    {
        var tokens = new SessionTokens(Key, TimeSpan.FromHours(1), new FakeTimeProvider(Start));

        var a = tokens.Issue("anna", "s").Value;
        var b = tokens.Issue("anna", "s").Value;

        Assert.NotEqual(a, b);
        Assert.True(tokens.TryRead(a, out var ca) && tokens.TryRead(b, out var cb) && ca.Id != cb.Id);
    }

    [Fact]
    public void TryRead_AfterLifetime_False()
    {
        var clock = new FakeTimeProvider(Start);
        var tokens = new SessionTokens(Key, TimeSpan.FromHours(1), clock);
        var (value, _) = tokens.Issue("anna", "s");

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.True(tokens.TryRead(value, out _));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(tokens.TryRead(value, out _));
    }

    [Fact]
    public void TryRead_OtherKey_False()
    {
        var clock = new FakeTimeProvider(Start);
        var value = new SessionTokens(Key, TimeSpan.FromHours(1), clock).Issue("anna", "s").Value;
        var other = new SessionTokens(SessionTokens.KeyFrom(null), TimeSpan.FromHours(1), clock);

        Assert.False(other.TryRead(value, out _));
    }

    [Fact]
    public void TryRead_AnyCharacterChanged_False()
    {
        var tokens = new SessionTokens(Key, TimeSpan.FromHours(1), new FakeTimeProvider(Start));
        var value = tokens.Issue("anna", "s").Value;

        for (var i = 0; i < value.Length; i++)
        {
            var chars = value.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            Assert.False(tokens.TryRead(new string(chars), out _), $"a change at {i} was accepted");
        }
    }

    [Fact]
    public void TryRead_UserRenamedInCookie_False()
    {
        // "anna" -> "olaf" with the rest (and the signature) kept: the signature covers the user.
        var tokens = new SessionTokens(Key, TimeSpan.FromHours(1), new FakeTimeProvider(Start));
        var value = tokens.Issue("anna", "s").Value;
        var forged = System.Buffers.Text.Base64Url.EncodeToString("olaf"u8) + value[value.IndexOf('.', StringComparison.Ordinal)..];

        Assert.False(tokens.TryRead(forged, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-dots")]
    [InlineData("a.b.c.d.e")]
    [InlineData("....")]
    public void TryRead_Garbage_False(string? value)
    {
        var tokens = new SessionTokens(Key, TimeSpan.FromHours(1), new FakeTimeProvider(Start));

        Assert.False(tokens.TryRead(value, out _));
        Assert.False(tokens.TryRead(new string('a', SessionTokens.MaxLength + 1), out _));
    }
}
