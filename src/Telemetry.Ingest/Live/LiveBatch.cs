using System.Buffers;
using Telemetry.Core;

namespace Telemetry.Ingest.Live;

/// <summary>
/// Samples queued for one subscriber: a copy in an array rented from <see cref="ArrayPool{T}.Shared"/> (the
/// publisher's span lives only for the call). The reader returns the array with <see cref="Return"/>.
/// </summary>
public readonly struct LiveBatch
{
    private readonly Sample[]? _array;

    internal LiveBatch(Sample[] array, int count)
    {
        _array = array;
        Count = count;
    }

    public int Count { get; }

    internal Sample[]? Array => _array;

    public ReadOnlySpan<Sample> Samples => _array is null ? default : _array.AsSpan(0, Count);

    internal static Sample[] Rent(int length) => ArrayPool<Sample>.Shared.Rent(length);

    internal static void Return(Sample[] array, int count)
    {
        // Clear the references (asset paths, string values) so the pool does not keep them alive.
        array.AsSpan(0, count).Clear();
        ArrayPool<Sample>.Shared.Return(array);
    }

    /// <summary>Gives the array back to the pool; the batch must not be read afterwards.</summary>
    public void Return()
    {
        if (_array is not null)
        {
            Return(_array, Count);
        }
    }
}
