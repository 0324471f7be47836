using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>One theme for every page: sober blue/teal palette, tabular numbers, light and dark variants.</summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fa8", Secondary = "#00897b", AppbarBackground = "#163e6e", Background = "#f6f7f9",
            Surface = "#ffffff", TextPrimary = "#1d232b", Success = "#2e7d32", Warning = "#b26a00", Error = "#c62828",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb3ff", Secondary = "#4db6ac", AppbarBackground = "#111824", Background = "#151a21",
            Surface = "#1d242d", DrawerBackground = "#1d242d", TextPrimary = "#e6e9ee", Success = "#66bb6a", Warning = "#ffb74d", Error = "#ef5350",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Roboto", "Helvetica", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px" },
    };
}
