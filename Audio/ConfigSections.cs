namespace WaveFlow.Audio;

/// <summary>
/// The sections of NVIDIA's config.json, the layout every WaveFlow config file follows. A file
/// holding one of them at its top is a sectioned config; a file without is one section stored
/// alone (a bare waveglow_config, or the mel keys alone).
/// </summary>
internal static class ConfigSections
{
    public const string Train = "train_config";
    public const string Data = "data_config";
    public const string Dist = "dist_config";
    public const string Model = "waveglow_config";

    public static readonly string[] All = [Train, Data, Dist, Model];
}
