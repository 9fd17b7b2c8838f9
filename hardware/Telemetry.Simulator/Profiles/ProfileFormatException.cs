namespace Telemetry.Simulator.Profiles;

/// <summary>A profile file that cannot be used: says which file, where, and what is expected.</summary>
public sealed class ProfileFormatException : Exception
{
    public ProfileFormatException()
    {
    }

    public ProfileFormatException(string message)
        : base(message)
    {
    }

    public ProfileFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
