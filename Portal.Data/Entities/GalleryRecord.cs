namespace Portal.Data.Entities;

/// <summary>
/// An inversion gallery: target images (feature inversion) or prompts (text inversion) that encoders reconstruct.
/// What it inverts is its definition file in <see cref="DatasetRecord.DatasetRoot"/> (gallery.json); its results are
/// reconstructions and their mean cosine, never a leaderboard.
/// </summary>
public sealed class GalleryRecord : DatasetRecord
{
    public override bool Allows(TaskKind kind) => kind.IsGallery();
    public override string KindNoun() => $"{TaskKind.Key()} gallery";
}
