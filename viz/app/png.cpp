#include "app/png.hpp"

#include <stb_image_write.h>

namespace faultlab::viz {

bool write_png_rgb(const std::string& path, int width, int height, const std::vector<unsigned char>& rgb,
                   bool bottom_up, std::string& error) {
  stbi_flip_vertically_on_write(bottom_up ? 1 : 0);
  if (!stbi_write_png(path.c_str(), width, height, 3, rgb.data(), width * 3)) {
    error = path + ": cannot write the PNG";
    return false;
  }
  return true;
}

} // namespace faultlab::viz
