using TorchSharp;
Console.WriteLine(torch.__version__);
var x = torch.randn(2, 3);
Console.WriteLine(x.sum().item<float>());
