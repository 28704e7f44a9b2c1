using System.Text;
using WaveFlow.Audio;
using WaveFlow.Audio.Wav;
using WaveFlow.Core;
using WaveFlow.Core.Serialization;
using WaveFlow.Core.Serialization.PyTorch;
using WaveFlow.Evaluation.Gate;
using WaveFlow.Evaluation.Listening;
using WaveFlow.Training.Config;
using WaveFlow.Training.Run;
using WaveFlow.Vocoder;
using WaveFlow.Vocoder.Checkpoints;

namespace WaveFlow.Fuzz;

/// <summary>Runs one input through a target and enforces the contract (see <see cref="FuzzTarget"/>).</summary>
internal static class FuzzCheck
{
    /// <summary>
    /// Managed bytes a loader may allocate for an input of <paramref name="inputLength"/> bytes:
    /// 32 MB plus 64 per input byte. The largest legitimate ratio is the WAV target's: 16-bit
    /// samples decoded to float (2×), a copy per step, and 4 kHz → 22.05 kHz resampling (5.5× the
    /// samples, 11× the bytes); a limit that is a fixed multiple of the file's size is what
    /// "no gigabytes from a small file" means.
    /// </summary>
    public static long AllocationLimit(int inputLength) => (32L << 20) + 64L * inputLength;

    /// <summary>
    /// Null when the loader accepted the input; the message when it refused it with a one-line
    /// <see cref="WaveFlowException"/> naming <paramref name="path"/>. Any other exception
    /// propagates; an error that does not name the file or an allocation over the limit throws
    /// <see cref="FuzzDefectException"/>. Allocation is counted on the calling thread.
    /// </summary>
    public static string? Run(FuzzTarget target, byte[] input, string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        string? refusal;
        try
        {
            target.Run(input, path);
            refusal = null;
        }
        catch (WaveFlowException e)
        {
            if (!e.Message.Contains(path, StringComparison.Ordinal))
                throw new FuzzDefectException($"{target.Name}: the error does not name the file: {e.Message}", e);
            if (e.Message.Contains('\n'))
                throw new FuzzDefectException($"{target.Name}: the error is not one line: {e.Message}", e);
            refusal = e.Message;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationLimit(input.Length))
            throw new FuzzDefectException($"{target.Name}: allocated {allocated:N0} bytes for a {input.Length:N0}-byte input (limit {AllocationLimit(input.Length):N0})");
        return refusal;
    }
}
