using System.Net.Http.Headers;

namespace Portal.Tests.Support;

/// <summary>A checkpoint as the upload endpoints take it: the raw bytes as application/octet-stream.</summary>
public static class CheckpointContent
{
    public static ByteArrayContent Of(byte[] bytes) => Typed(new ByteArrayContent(bytes));

    public static T Typed<T>(T content) where T : HttpContent
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
