using System.Globalization;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>A user error on the command line: printed as is, exit code 2.</summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException()
    {
    }

    public CommandLineException(string message)
        : base(message)
    {
    }

    public CommandLineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>`--name value` options after the command word.</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public static CommandOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new CommandOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"Unexpected argument '{arg}': options look like --name value.");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                options._values[arg[2..eq]] = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options._values[arg[2..]] = args[++i];
            }
            else
            {
                options._values[arg[2..]] = "true";
            }
        }

        return options;
    }

    public string? GetString(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public int GetInt(string name, int defaultValue, int min, int max)
    {
        var text = GetString(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new CommandLineException($"--{name} '{text}': expected a whole number from {min} to {max}.");
    }

    public double GetDouble(string name, double defaultValue, double min, double max)
    {
        var text = GetString(name);
        if (text is null)
        {
            return defaultValue;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new CommandLineException($"--{name} '{text}': expected a number from {min} to {max}.");
    }

    /// <summary>Refuses options the command did not read (a typo must not be silently ignored).</summary>
    public void EnsureAllUsed(string command)
    {
        foreach (var name in _values.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new CommandLineException($"'{command}' has no option --{name}. See telemetry-edge --help.");
            }
        }
    }
}
