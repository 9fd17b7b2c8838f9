using System.Text;
using Telemetry.Edge.Mqtt;

namespace Telemetry.EdgeAgent.Commands;

/// <summary>
/// `telemetry-edge hash-password`: reads a password (typed without echo, or from stdin) and prints the hash a
/// `type: mqtt-broker` user's `password_hash` takes, so no plain password is ever written into edge.yaml.
/// </summary>
public static class HashPasswordCommand
{
    public static int Run(CommandOptions options, TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        options.EnsureAllUsed("hash-password");
        string? password;
        if (Console.IsInputRedirected || !ReferenceEquals(input, Console.In))
        {
            password = input.ReadLine();
        }
        else
        {
            Console.Error.Write("Password: ");
            password = ReadHidden();
            Console.Error.WriteLine();
        }

        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("telemetry-edge: no password given (type it, or pipe it on stdin).");
            return CommandLine.UsageError;
        }

        output.WriteLine(MqttPasswordHash.Create(password));
        return CommandLine.Ok;
    }

    private static string ReadHidden()
    {
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
