using WaveFlow.Audio.Imaging;
using WaveFlow.Training.Loop;

namespace WaveFlow.Training.Logging;

/// <summary>
/// A run's TensorBoard log: the training scalars every <c>iters_per_log</c> stepped iterations,
/// validation's scores, its first clip's resynthesis (audio and mel image) and, once per session,
/// the clip itself to compare with. Without a writer (other ranks, <c>with_tensorboard</c> off)
/// every call does nothing.
/// </summary>
internal sealed class TrainingMetrics(TensorBoardWriter? writer, int itersPerLog, int sampleRate) : IDisposable
{
    private bool referenceLogged;

    /// <summary>One finished iteration (1-based <paramref name="iteration"/>).</summary>
    public void Step(long iteration, StepOutcome outcome, double loss, double learningRate, double gradientNorm,
        double iterationsPerSecond, long skippedNonfinite, double allReduceShare, bool singleProcess)
    {
        if (writer is null || iteration % itersPerLog != 0 || outcome != StepOutcome.Stepped) return;
        writer.AddScalar("train/loss", loss, iteration);
        writer.AddScalar("train/learning_rate", learningRate, iteration);
        writer.AddScalar("train/grad_norm", gradientNorm, iteration);
        writer.AddScalar("train/iterations_per_second", iterationsPerSecond, iteration);
        if (skippedNonfinite > 0) writer.AddScalar("train/skipped_nonfinite", skippedNonfinite, iteration);
        if (!singleProcess) writer.AddScalar("train/allreduce_share", allReduceShare, iteration);
    }

    /// <summary>One validation pass at <paramref name="iteration"/>.</summary>
    public void Validation(long iteration, ValidationResult result)
    {
        if (writer is null) return;
        writer.AddScalar("validation/nll", result.Nll, iteration);
        writer.AddScalar("validation/log_mel_l1", result.LogMelL1, iteration);
        writer.AddScalar("validation/voicing_error", result.VoicingError, iteration);
        if (double.IsFinite(result.HnrGapDb)) writer.AddScalar("validation/hnr_gap_db", result.HnrGapDb, iteration);
        if (double.IsFinite(result.F0RmseCents)) writer.AddScalar("validation/f0_rmse_cents", result.F0RmseCents, iteration);
        writer.AddAudio("validation/resynthesis", result.FirstResynthesis, sampleRate, iteration);
        writer.AddPng("validation/resynthesis_mel", SpectrogramImage.EncodePng(result.FirstResynthesisMel), (int)result.FirstResynthesisMel.Shape[1], (int)result.FirstResynthesisMel.Shape[0], iteration);
        if (referenceLogged) return;
        // The clip itself and its mel, once per session, to compare with the resynthesis.
        writer.AddAudio("validation/reference", result.FirstAudio, sampleRate, iteration);
        writer.AddPng("validation/reference_mel", SpectrogramImage.EncodePng(result.FirstMel), (int)result.FirstMel.Shape[1], (int)result.FirstMel.Shape[0], iteration);
        referenceLogged = true;
    }

    public void Flush() => writer?.Flush();

    public void Dispose() => writer?.Dispose();
}
