// Writing an RGB image as PNG (stb_image_write).
#pragma once

#include <string>
#include <vector>

namespace faultlab::viz {

// `bottom_up`: rows are stored bottom first, as glReadPixels returns them.
bool write_png_rgb(const std::string& path, int width, int height, const std::vector<unsigned char>& rgb,
                   bool bottom_up, std::string& error);

} // namespace faultlab::viz
