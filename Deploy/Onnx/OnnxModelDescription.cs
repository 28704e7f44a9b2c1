using System.Globalization;
using System.Text.Json;
using WaveFlow.Audio;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Onnx;

/// <summary>
/// The metadata of a WaveFlow ONNX model (see <see cref="OnnxModelFormat"/>), read and checked:
/// a file without it, of a newer version or with a damaged entry fails with one line naming the
/// file and the key.
/// </summary>
internal sealed record OnnxModelDescription(int Version, int NMelChannels, int NGroup, MelOptions Mel, string Precision,
    int ContextFrames, long Step, string Source, string ModelConfigJson)
{
    public static OnnxModelDescription Read(IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (!metadata.TryGetValue(OnnxModelFormat.FormatKey, out var format) || format != OnnxModelFormat.Format)
            throw WaveFlowException.ForFile(path, $"an ONNX model without WaveFlow's metadata ({OnnxModelFormat.FormatKey} = \"{OnnxModelFormat.Format}\"): not written by waveflow export");
        string Get(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw WaveFlowException.ForFile(path, $"ONNX model metadata lacks \"{key}\"");
        int ParseInt(string key, int min)
        {
            if (!int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
                throw WaveFlowException.ForFile(path, $"ONNX model metadata {key} \"{Get(key)}\" is not an integer ≥ {min}");
            return v;
        }
        int version = ParseInt(OnnxModelFormat.VersionKey, 1);
        if (version > OnnxModelFormat.Version)
            throw WaveFlowException.ForFile(path, $"WaveFlow ONNX format version {version} is newer than this build reads (1..{OnnxModelFormat.Version})");
        var mel = StrictJson.Parse<MelOptions>(Get(OnnxModelFormat.MelConfigKey), path, OnnxModelFormat.MelConfigKey);
        mel.Validate(path, OnnxModelFormat.MelConfigKey);
        var (nMel, nGroup) = ReadModelConfig(Get(OnnxModelFormat.ModelConfigKey), path);
        if (nMel != mel.NMelChannels)
            throw WaveFlowException.ForFile(path, $"ONNX model metadata: waveglow_config n_mel_channels {nMel} differs from mel_config n_mel_channels {mel.NMelChannels}");
        if (mel.HopLength % nGroup != 0)
            throw WaveFlowException.ForFile(path, $"ONNX model metadata: hop_length {mel.HopLength} is not a multiple of n_group {nGroup}");
        string precision = Get(OnnxModelFormat.PrecisionKey);
        if (!OnnxModelFormat.Precisions.Contains(precision))
            throw WaveFlowException.ForFile(path, $"ONNX model metadata precision \"{precision}\" is not one of {string.Join(", ", OnnxModelFormat.Precisions)}");
        int context = ParseInt(OnnxModelFormat.ContextFramesKey, 0);
        if (!long.TryParse(Get(OnnxModelFormat.StepKey), NumberStyles.Integer, CultureInfo.InvariantCulture, out long step))
            throw WaveFlowException.ForFile(path, $"ONNX model metadata step \"{Get(OnnxModelFormat.StepKey)}\" is not an integer");
        return new OnnxModelDescription(version, nMel, nGroup, mel, precision, context, step,
            metadata.TryGetValue(OnnxModelFormat.SourceKey, out var source) ? source : "", Get(OnnxModelFormat.ModelConfigKey));
    }

    /// <summary>n_mel_channels and n_group of waveglow_config: all the runtime needs of the model's shape
    /// (the graph holds the rest).</summary>
    private static (int NMel, int NGroup) ReadModelConfig(string json, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            int Positive(string key)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(key, out var e)
                    || e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v) || v <= 0)
                    throw WaveFlowException.ForFile(path, $"ONNX model metadata {OnnxModelFormat.ModelConfigKey}.{key} is missing or not a positive integer");
                return v;
            }
            return (Positive("n_mel_channels"), Positive("n_group"));
        }
        catch (JsonException e)
        {
            throw WaveFlowException.ForFile(path, $"ONNX model metadata {OnnxModelFormat.ModelConfigKey} is not JSON ({e.Message})", e);
        }
    }
}
