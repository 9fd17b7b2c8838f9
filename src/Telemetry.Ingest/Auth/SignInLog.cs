using Microsoft.Extensions.Logging;

namespace Telemetry.Ingest.Auth;

/// <summary>Dashboard sign-in log events (ids 7400-7499).</summary>
internal static partial class SignInLog
{
    [LoggerMessage(EventId = 7400, Level = LogLevel.Information, Message = "User {User} signed in from {Client}")]
    public static partial void SignedIn(ILogger logger, string user, string client);

    [LoggerMessage(EventId = 7401, Level = LogLevel.Information, Message = "Sign-in refused for user name '{User}' from {Client}: unknown user or wrong password")]
    public static partial void Refused(ILogger logger, string user, string client);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Warning, Message = "Sign-in for user name '{User}' from {Client} throttled: too many failures")]
    public static partial void Throttled(ILogger logger, string user, string client);

    [LoggerMessage(EventId = 7403, Level = LogLevel.Information, Message = "User {User} signed out")]
    public static partial void SignedOut(ILogger logger, string user);
}
