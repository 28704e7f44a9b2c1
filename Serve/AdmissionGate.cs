namespace WaveFlow.Serve;

/// <summary>
/// The bounded queue: at most <c>--max-queue</c> requests are admitted at once (being synthesised or
/// waiting for their turn); the next one is refused at once with 503, so memory stays bounded by
/// max-queue × the largest request (--max-seconds) whatever the load.
/// </summary>
internal sealed class AdmissionGate(int capacity)
{
    private int admitted;

    public int Capacity { get; } = capacity;

    public int Admitted => Volatile.Read(ref admitted);

    public bool TryEnter()
    {
        while (true)
        {
            int now = Volatile.Read(ref admitted);
            if (now >= Capacity) return false;
            if (Interlocked.CompareExchange(ref admitted, now + 1, now) == now) return true;
        }
    }

    public void Exit() => Interlocked.Decrement(ref admitted);
}
