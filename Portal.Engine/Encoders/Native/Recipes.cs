namespace Portal.Engine.Encoders.Native;

/// <summary>Default input recipes (what the canonical Python evaluation does), recorded in <see cref="EncoderInfo"/>.</summary>
public static class Recipes
{
    /// <summary>
    /// OpenCLIP: bicubic resize of the shorter side then centre crop, OpenAI mean/std. convnext_base_w is run at
    /// 224 as the perceptual-metrics paper does (Resize 256 → CenterCrop 224; its config's native size is 256).
    /// DINO: Resize 256 → CenterCrop 224 (eval_linear/eval_knn), ImageNet mean/std. DINOv2: the same
    /// (make_classification_eval_transform) although its position table is 518 px (37×37), so the 224 input
    /// (16×16 patches) always resamples it.
    /// </summary>
    public static Preprocessing Default(ArchitectureSpec spec) => spec switch
    {
        ConvNextSpec => Preprocessing.ShorterSide(256, 224, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd),
        ClipVitSpec v => Preprocessing.ShorterSide(v.NativeImageSize, v.NativeImageSize, Preprocessing.OpenAiMean, Preprocessing.OpenAiStd),
        DinoVitSpec d => Preprocessing.ShorterSide(d.NativeImageSize * 256 / 224, d.NativeImageSize, Preprocessing.ImageNetMean, Preprocessing.ImageNetStd),
        Dinov2VitSpec => Preprocessing.ShorterSide(256, 224, Preprocessing.ImageNetMean, Preprocessing.ImageNetStd),
        _ => throw new ArgumentException(spec.GetType().Name),
    };

    /// <summary>DreamSim-style fine-tuned variants (MLP head, LoRA): plain bicubic resize to 224×224, the model's own mean/std.</summary>
    public static Preprocessing FineTuned(ArchitectureSpec spec)
    {
        var d = Default(spec);
        return new Preprocessing(224, 224, 224, ResizeMode.Squash, Interpolation.Bicubic, d.Mean, d.Std);
    }
}
