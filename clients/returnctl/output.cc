#include "clients/returnctl/output.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace returnpath::returnctl {
namespace {

// Display width: counts UTF-8 code points, not bytes (Norwegian names).
size_t Width(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

}  // namespace

void Table::Print(std::ostream& out, const std::string& indent) const {
  std::vector<size_t> widths(headers_.size(), 0);
  auto measure = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] + 2 - Width(row[i]), ' ');
    }
    out << line << "\n";
  };
  print(headers_);
  for (const auto& row : rows_) print(row);
}

std::string MorePages(const std::string& token) {
  for (unsigned char c : token) {
    if (c < 0x20 || c == 0x7f || c == '\'') return "; more pages: add --all";
  }
  return absl::StrCat("; more: --page-token '", token, "' (or --all)");
}

std::string Money(int64_t nok) {
  std::string digits = absl::StrCat(nok < 0 ? -nok : nok);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return absl::StrCat("NOK ", nok < 0 ? "-" : "", grouped);
}

absl::Status PrintJson(const google::protobuf::Message& message,
                       std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print ", message.GetTypeName(),
                     " as JSON: ", status.message().as_string()));
  }
  out << json << "\n";
  out.flush();
  return absl::OkStatus();
}

Progress::Progress(std::string label)
    : label_(std::move(label)), tty_(isatty(2) == 1) {}

Progress::~Progress() {
  if (tty_ && drawn_) std::cerr << "\n";
}

void Progress::Update(uint64_t done, uint64_t total) {
  const int percent =
      total == 0
          ? 100
          : static_cast<int>(std::min<uint64_t>(100, done * 100 / total));
  if (tty_) {
    if (percent == last_percent_ && done != total) return;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::cerr << "\r" << label_ << " [" << std::string(filled, '#')
              << std::string(kWidth - filled, ' ') << "] " << percent << "% ("
              << done << "/" << total << ")" << std::flush;
    drawn_ = true;
  } else {
    if (last_percent_ >= 0 && percent / 10 == last_percent_ / 10) return;
    std::cerr << label_ << ": " << percent << "% (" << done << "/" << total
              << ")\n";
  }
  last_percent_ = percent;
}

}  // namespace returnpath::returnctl
