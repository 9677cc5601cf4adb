#include "demo/internal/csv_writer.h"

#include <cerrno>
#include <cstring>

#include "demo/internal/text.h"

namespace backpack::demo {
namespace {

constexpr size_t kFlushThreshold = 1 << 16;

}  // namespace

void AppendCsvField(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

Result<std::unique_ptr<CsvWriter>> CsvWriter::Create(
    const std::filesystem::path& path, std::initializer_list<std::string_view> header) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return Err(
        UnavailableError(StrCat({"cannot create ", path.string(), ": ", std::strerror(errno)})));
  }
  std::unique_ptr<CsvWriter> writer(new CsvWriter(file, path.filename().string(), header.size()));
  writer->Row(header);
  writer->rows_ = 0;
  return writer;
}

CsvWriter::CsvWriter(std::FILE* file, std::string file_name, size_t columns)
    : file_(file), file_name_(std::move(file_name)), columns_(columns) {
  buffer_.reserve(kFlushThreshold + 4096);
}

CsvWriter::~CsvWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void CsvWriter::Row(std::initializer_list<std::string_view> fields) {
  if (fields.size() != columns_ && status_.ok()) {
    status_ = InternalError(
        StrCat({file_name_, ": row ", std::to_string(rows_ + 1), " has ",
                std::to_string(fields.size()), " fields, header has ", std::to_string(columns_)}));
  }
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) buffer_.push_back(',');
    first = false;
    AppendCsvField(field, buffer_);
  }
  buffer_.push_back('\n');
  ++rows_;
  if (buffer_.size() >= kFlushThreshold) Flush();
}

void CsvWriter::Flush() {
  if (file_ == nullptr || buffer_.empty()) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size() && status_.ok()) {
    status_ = UnavailableError(StrCat({"cannot write ", file_name_, ": ", std::strerror(errno)}));
  }
  buffer_.clear();
}

Status CsvWriter::Close() {
  Flush();
  if (file_ != nullptr && std::fclose(file_) != 0 && status_.ok()) {
    status_ = UnavailableError(StrCat({"cannot close ", file_name_, ": ", std::strerror(errno)}));
  }
  file_ = nullptr;
  return status_;
}

}  // namespace backpack::demo
